// Integration: file capabilities, device nodes and foreign owners need root (and attr's setfattr/getfattr, GNU tar).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { extractLayer, packDirectory } from './index';
import { findCommand } from './system';
import { collect, isRoot, longNameTree, removeDir, snapshot, streamOf, tempDir } from './tar-fixtures';

// An integration test says what it needs rather than skipping (scripts/run-tests.mjs integration).
const missing = [!isRoot && 'root', ...['tar', 'setfattr', 'getfattr', 'mknod'].filter((c) => findCommand(c) === null)].filter(Boolean);
if (missing.length > 0) throw new Error(`${__filename}: needs ${missing.join(', ')}`);

const CAPABILITY = Buffer.from('AQAAAgAgAAAAAAAAAAAAAAAAAAA=', 'base64'); // cap_net_raw+ep

function capabilityOf(p: string): Buffer | undefined {
  const r = spawnSync('getfattr', ['-h', '-n', 'security.capability', '--only-values', p]);
  return r.status === 0 ? r.stdout : undefined;
}

describe('what only root can write: capabilities, devices, foreign owners', () => {
  let work: string;
  let src: string;
  before(() => {
    work = tempDir();
    src = path.join(work, 'src');
    // Long names put PAX/GNU long-name records before the entry with the xattr.
    longNameTree(src);
    fs.chmodSync(path.join(src, 'ping'), 0o4755);
    execFileSync('setfattr', ['-n', 'security.capability', '-v', `0s${CAPABILITY.toString('base64')}`, path.join(src, 'ping')]);
    execFileSync('mknod', [path.join(src, 'null'), 'c', '1', '3']);
    execFileSync('mknod', [path.join(src, 'fifo'), 'p']);
    fs.writeFileSync(path.join(src, 'owned'), 'x');
    fs.lchownSync(path.join(src, 'owned'), 3_000_000, 3_000_001); // needs base-256 or PAX ids
  });
  after(() => removeDir(work));

  it('pack → extract keeps the capability (a binary PAX xattr), setuid after chown, devices and large ids', async () => {
    const dst = path.join(work, 'roundtrip');
    await extractLayer(streamOf(await collect(packDirectory(src))), dst);
    assert.deepEqual(capabilityOf(path.join(dst, 'ping')), CAPABILITY);
    assert.equal(fs.statSync(path.join(dst, 'ping')).mode & 0o7777, 0o4755);
    assert.ok(fs.lstatSync(path.join(dst, 'null')).isCharacterDevice());
    assert.ok(fs.lstatSync(path.join(dst, 'fifo')).isFIFO());
    assert.equal(fs.lstatSync(path.join(dst, 'owned')).uid, 3_000_000);
    assert.equal(fs.lstatSync(path.join(dst, 'owned')).gid, 3_000_001);
  });

  it('takes security.capability from GNU tar PAX records, after long-name entries', async () => {
    const archive = execFileSync('tar', ['-C', src, '--format=posix', '--xattrs', '--xattrs-include=*', '-cf', '-', '.'], { maxBuffer: 64 << 20 });
    const dst = path.join(work, 'from-gnu');
    await extractLayer(streamOf(archive), dst);
    assert.deepEqual(capabilityOf(path.join(dst, 'ping')), CAPABILITY);
  });

  it('GNU tar reads back what packDirectory wrote, xattrs included', async () => {
    const archive = await collect(packDirectory(src));
    const dst = path.join(work, 'gnu-extract');
    fs.mkdirSync(dst);
    execFileSync('tar', ['-C', dst, '--xattrs', '--xattrs-include=*', '-xpf', '-'], { input: archive, maxBuffer: 64 << 20 });
    assert.deepEqual(snapshot(dst), snapshot(src));
    assert.deepEqual(capabilityOf(path.join(dst, 'ping')), CAPABILITY);
  });
});
