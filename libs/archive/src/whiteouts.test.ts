import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { extractLayer } from './index';
import { type FixtureEntry, makeTar, removeDir, streamOf, tempDir } from './tar-fixtures';

const file = (name: string, content = 'x'): FixtureEntry => ({ header: { name, type: 'file', mode: 0o644 }, content });
const dir = (name: string): FixtureEntry => ({ header: { name, type: 'directory', mode: 0o755 } });

describe('whiteouts: apply onto an existing tree', () => {
  let work: string;
  before(() => { work = tempDir(); });
  after(() => removeDir(work));

  it('deletes whited-out names and empties opaque directories', async () => {
    const tree = path.join(work, 'tree');
    await extractLayer(streamOf(await makeTar([
      file('keep', 'k'), file('gone', 'g'), dir('gonedir'), file('gonedir/f'),
      dir('d'), file('d/old', 'o'), dir('d/sub'), file('d/sub/old'),
      dir('x'), file('x/stay'),
    ])), tree);
    const result = await extractLayer(streamOf(await makeTar([
      file('.wh.gone', ''),
      file('.wh.gonedir', ''),
      file('.wh.never-existed', ''),
      file('nowhere/.wh.x', ''),
      dir('d'),
      file('d/new', 'n'),
      dir('d/sub'),
      file('d/.wh..wh..opq', ''),
      file('x/added', 'a'),
    ])), tree, { whiteouts: 'apply' });
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(fs.readdirSync(tree).sort(), ['d', 'keep', 'x']);
    // d keeps only what this archive wrote: new and sub (emptied of old content).
    assert.deepEqual(fs.readdirSync(path.join(tree, 'd')).sort(), ['new', 'sub']);
    assert.deepEqual(fs.readdirSync(path.join(tree, 'd', 'sub')), []);
    assert.deepEqual(fs.readdirSync(path.join(tree, 'x')).sort(), ['added', 'stay']);
  });

  it("'keep' keeps .wh. files as they are", async () => {
    const tree = path.join(work, 'keep-mode');
    await extractLayer(streamOf(await makeTar([file('.wh.x', ''), file('d/.wh..wh..opq', '')])), tree, { whiteouts: 'keep' });
    assert.deepEqual(fs.readdirSync(tree).sort(), ['.wh.x', 'd']);
    assert.deepEqual(fs.readdirSync(path.join(tree, 'd')), ['.wh..wh..opq']);
  });

  it('noOverwriteDirNonDir refuses to swap a directory for a file (docker cp)', async () => {
    const tree = path.join(work, 'cp');
    fs.mkdirSync(path.join(tree, 'etc'), { recursive: true });
    await assert.rejects(
      extractLayer(streamOf(await makeTar([file('etc', 'oops')])), tree, { noOverwriteDirNonDir: true }),
      /cannot overwrite directory "etc" with non-directory "etc"/,
    );
    await extractLayer(streamOf(await makeTar([file('etc', 'replaced')])), tree);
    assert.equal(fs.readFileSync(path.join(tree, 'etc'), 'utf8'), 'replaced');
  });
});
