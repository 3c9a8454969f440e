import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { extractLayer } from './index';
import { findCommand } from './system';
import { longNameTree, removeDir, snapshot, streamOf, tempDir } from './tar-fixtures';

const haveTools = findCommand('tar') !== null;

/** Archives written by GNU tar, as other tools (and old images) write them. */
describe('archives from GNU tar', { skip: !haveTools }, () => {
  let work: string;
  let src: string;
  before(() => {
    work = tempDir();
    src = path.join(work, 'src');
    longNameTree(src);
    fs.writeFileSync(path.join(src, 'after'), 'after');
    fs.symlinkSync('x'.repeat(120), path.join(src, 'longlink'));
  });
  after(() => removeDir(work));

  const gnuTar = (format: string, extra: string[] = []): Buffer =>
    execFileSync('tar', ['-C', src, `--format=${format}`, ...extra, '-cf', '-', '.'], { maxBuffer: 64 << 20 });

  for (const format of ['posix', 'gnu']) {
    it(`reads --format=${format}`, async () => {
      const dst = path.join(work, `out-${format}`);
      await extractLayer(streamOf(gnuTar(format)), dst);
      assert.deepEqual(snapshot(dst, { mtimes: false }), snapshot(src, { mtimes: false }));
    });
  }

  it('reads --format=v7 (no ustar magic), as Go does', async () => {
    const v7src = path.join(work, 'v7src');
    fs.mkdirSync(v7src);
    fs.writeFileSync(path.join(v7src, 'old'), 'v7\n');
    const archive = execFileSync('tar', ['-C', v7src, '--format=v7', '-cf', '-', 'old']);
    const dst = path.join(work, 'out-v7');
    await extractLayer(streamOf(archive), dst);
    assert.equal(fs.readFileSync(path.join(dst, 'old'), 'utf8'), 'v7\n');
  });

});
