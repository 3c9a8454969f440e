import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mountOverlay, unmountOverlay } from '../rootfs/overlay';
import { ChangeWalker, ChangeKind } from './changes';
import { layerDiff } from './layer-diff';

const isRoot = process.getuid?.() === 0;
// An integration test says what it needs rather than skipping (scripts/run-tests.mjs integration).
if (!isRoot) throw new Error(`${__filename}: needs root`);
const KIND = ['C', 'A', 'D'];

async function tarNames(stream: AsyncIterable<Buffer>): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return execFileSync('tar', ['-t'], { input: Buffer.concat(chunks) }).toString().split('\n').filter(Boolean);
}

/**
 * Two image layers in overlay form (a whiteout and an opaque directory in
 * the top one), a container's upper dir changed through a real overlay
 * mount, then compared with what dockerd's naive diff reports for the same
 * operations.
 */
describe('docker diff and the layer diff from a real overlay', () => {
  let work: string;
  let upper: string;
  let layers: string[];
  const w = (p: string, content = ''): void => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  };

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-diff-'));
    const bottom = path.join(work, 'l1');
    const top = path.join(work, 'l2');
    w(path.join(bottom, 'bin/ls'), 'ls');
    w(path.join(bottom, 'bin/sh'), 'sh');
    w(path.join(bottom, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    w(path.join(bottom, 'dir/a'));
    w(path.join(bottom, 'dir/b'));
    w(path.join(bottom, 'keep/x'), 'x');
    w(path.join(bottom, 'old/gone'));
    w(path.join(bottom, 'lib/libc'), 'elf');
    fs.mkdirSync(path.join(bottom, 'sys'));
    w(path.join(top, 'top-only'));
    fs.mkdirSync(path.join(top, 'bin'));
    execFileSync('mknod', [path.join(top, 'bin/sh'), 'c', '0', '0']); // the top layer deleted /bin/sh
    fs.mkdirSync(path.join(top, 'old'));
    w(path.join(top, 'old/new'));
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(top, 'old')]); // and replaced /old
    layers = [top, bottom];
    upper = path.join(work, 'upper');
    const merged = path.join(work, 'merged');
    await mountOverlay({ lowerDirs: layers, upperDir: upper, workDir: path.join(work, 'work'), target: merged });
    try {
      const m = (p: string): string => path.join(merged, p);
      assert.ok(!fs.existsSync(m('bin/sh')) && !fs.existsSync(m('old/gone')), 'the image layers are merged as overlayfs does');
      fs.writeFileSync(m('new'), '');
      fs.rmSync(m('bin/ls'));
      fs.rmSync(m('dir'), { recursive: true });
      fs.mkdirSync(m('dir'));
      fs.writeFileSync(m('dir/c'), '');
      fs.chmodSync(m('etc/passwd'), 0o600);
      fs.appendFileSync(m('keep/x'), 'more');
      fs.mkdirSync(m('n/m/o'), { recursive: true });
      fs.rmSync(m('top-only'));
      // What runc leaves for its mount points when the image lacks them (dockerd's init layer has them).
      fs.writeFileSync(m('etc/hostname'), '', { mode: 0o755 });
      fs.chmodSync(m('etc/hostname'), 0o755);
      fs.writeFileSync(m('.dockerenv'), '', { mode: 0o755 });
      fs.chmodSync(m('.dockerenv'), 0o755);
      fs.mkdirSync(m('proc'), { mode: 0o755 });
      // A file opened for writing but left as it was: copied up, yet not a change.
      fs.closeSync(fs.openSync(m('lib/libc'), 'r+'));
    } finally {
      await unmountOverlay(merged);
    }
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('changes in dockerd order and kinds', async () => {
    assert.ok(fs.existsSync(path.join(upper, 'lib/libc')), 'the file opened for writing was copied up');
    const changes = (await ChangeWalker.run(upper, layers)).map((c) => `${KIND[c.kind]} ${c.path}`);
    assert.deepEqual(changes, [
      'C /bin',
      'D /bin/ls',
      'C /dir',
      'A /dir/c',
      'D /dir/a',
      'D /dir/b',
      'C /etc',
      'C /etc/passwd',
      'C /keep',
      'C /keep/x',
      'A /n',
      'A /n/m',
      'A /n/m/o',
      'A /new',
      'D /top-only',
    ]);
  });

  test('no upper dir, or nothing in it: no changes', async () => {
    assert.deepEqual(await ChangeWalker.run(path.join(work, 'absent'), layers), []);
    fs.mkdirSync(path.join(work, 'empty'));
    assert.deepEqual(await ChangeWalker.run(path.join(work, 'empty'), layers), []);
  });

  test('a real change to an init-layer path is reported', async () => {
    const u2 = path.join(work, 'u2');
    w(path.join(u2, '.dockerenv'), 'written');
    fs.chmodSync(path.join(u2, '.dockerenv'), 0o755);
    const changes = await ChangeWalker.run(u2, layers);
    assert.deepEqual(changes, [{ path: '/.dockerenv', kind: ChangeKind.Modify }]);
  });

  test('the layer diff carries whiteouts and the opaque marker, not the init-layer mount points', async () => {
    const names = await tarNames(await layerDiff(upper, layers));
    for (const want of ['bin/', 'bin/.wh.ls', 'dir/', 'dir/.wh..wh..opq', 'dir/c', 'etc/passwd', 'keep/x', 'n/m/o/', 'new', '.wh.top-only', 'proc/']) {
      assert.ok(names.includes(want), `${want} in ${names.join(' ')}`);
    }
    for (const unwanted of ['etc/hostname', '.dockerenv']) assert.ok(!names.includes(unwanted), `${unwanted} left out`);
  });
});
