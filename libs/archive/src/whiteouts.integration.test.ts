// Integration: overlay mounts, needs root and setfattr/getfattr.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { encodeTarHeader, END_OF_ARCHIVE, extractLayer, packDirectory } from './index';
import { findCommand } from './system';
import { type FixtureEntry, collect, isRoot, listTar, makeTar, removeDir, streamOf, tempDir } from './tar-fixtures';

const file = (name: string, content = 'x'): FixtureEntry => ({ header: { name, type: 'file', mode: 0o644 }, content });
const dir = (name: string): FixtureEntry => ({ header: { name, type: 'directory', mode: 0o755 } });

const canOverlay = isRoot && findCommand('setfattr') !== null && findCommand('getfattr') !== null;

function opaque(p: string): string | undefined {
  const r = spawnSync('getfattr', ['-h', '-n', 'trusted.overlay.opaque', '--only-values', p]);
  return r.status === 0 ? r.stdout.toString() : undefined;
}

function isWhiteoutDevice(p: string): boolean {
  const st = fs.lstatSync(p);
  return st.isCharacterDevice() && st.rdev === 0;
}

/** Mounts an overlay of `lowers` (top first) read-only; returns the mountpoint or undefined when the kernel says no. */
function mountOverlay(work: string, lowers: string[], upper?: string): string | undefined {
  const merged = path.join(work, `merged-${Math.random().toString(16).slice(2)}`);
  fs.mkdirSync(merged);
  const options = [`lowerdir=${lowers.join(':')}`];
  if (upper) {
    const workdir = `${upper}.work`;
    fs.mkdirSync(workdir, { recursive: true });
    options.push(`upperdir=${upper}`, `workdir=${workdir}`);
  }
  const r = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', options.join(','), merged]);
  return r.status === 0 ? merged : undefined;
}

// An integration test says what it needs rather than skipping (scripts/run-tests.mjs integration).
if (!canOverlay) throw new Error(`${__filename}: needs root, setfattr and getfattr`);

describe('whiteouts: overlay conversion', () => {
  let work: string;
  const mounts: string[] = [];
  before(() => { work = tempDir(); });
  after(() => {
    for (const m of mounts) spawnSync('umount', [m]);
    removeDir(work);
  });

  it('turns .wh. entries into 0:0 devices and .wh..wh..opq into the opaque xattr', async () => {
    const layer = path.join(work, 'l2');
    const result = await extractLayer(streamOf(await makeTar([
      dir('etc'),
      { header: { name: 'etc/.wh.gone', type: 'file', mode: 0o600, uid: 7, gid: 8 }, content: '' },
      file('.wh.rootfile', ''),
      dir('data'),
      file('data/.wh..wh..opq', ''),
      file('data/new', 'new'),
      file('implied/.wh..wh..opq', ''),
      file('.wh..wh.plnk', ''),
    ])), layer, { whiteouts: 'overlay' });
    assert.deepEqual(result.warnings, []);
    assert.ok(isWhiteoutDevice(path.join(layer, 'etc', 'gone')));
    assert.equal(fs.lstatSync(path.join(layer, 'etc', 'gone')).uid, 7);
    assert.ok(isWhiteoutDevice(path.join(layer, 'rootfile')));
    assert.equal(opaque(path.join(layer, 'data')), 'y');
    assert.equal(opaque(path.join(layer, 'implied')), 'y');
    assert.equal(opaque(path.join(layer, 'etc')), undefined);
    assert.deepEqual(fs.readdirSync(layer).sort(), ['data', 'etc', 'implied', 'rootfile']);
  });

  it('a forged trusted.overlay xattr in the archive is ignored', async () => {
    const archive = Buffer.concat([
      encodeTarHeader({ name: 'd/', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0,
        xattrs: new Map([['trusted.overlay.opaque', Buffer.from('y')], ['user.kept', Buffer.from([0, 1, 2, 255])]]) }),
      END_OF_ARCHIVE,
    ]);
    const layer = path.join(work, 'forged');
    const result = await extractLayer(streamOf(archive), layer, { whiteouts: 'overlay' });
    assert.equal(opaque(path.join(layer, 'd')), undefined);
    assert.match(result.warnings.join('\n'), /ignored xattr trusted\.overlay\.opaque/);
    const kept = spawnSync('getfattr', ['-n', 'user.kept', '--only-values', path.join(layer, 'd')]).stdout;
    assert.deepEqual([...kept], [0, 1, 2, 255]);
  });

  it('an overlay mount of converted layers hides what the whiteouts say', async (t) => {
    const l1 = path.join(work, 'm1');
    const l2 = path.join(work, 'm2');
    await extractLayer(streamOf(await makeTar([
      file('keep', 'k'), file('gone', 'g'), dir('d'), file('d/old1', '1'), file('d/old2', '2'),
    ])), l1, { whiteouts: 'overlay' });
    await extractLayer(streamOf(await makeTar([
      file('.wh.gone', ''), dir('d'), file('d/.wh..wh..opq', ''), file('d/new', 'n'),
    ])), l2, { whiteouts: 'overlay' });
    const merged = mountOverlay(work, [l2, l1]);
    assert.ok(merged, 'the overlay mount failed');
    mounts.push(merged);
    assert.deepEqual(fs.readdirSync(merged).sort(), ['d', 'keep']);
    assert.deepEqual(fs.readdirSync(path.join(merged, 'd')), ['new']);
  });

  it('packs an overlay upper dir back into .wh. entries', async (t) => {
    const lower = path.join(work, 'p-lower');
    await extractLayer(streamOf(await makeTar([
      file('a', 'a'), file('b', 'b'), dir('d'), file('d/x', 'x'), dir('e'), file('e/y', 'y'),
    ])), lower, { whiteouts: 'overlay' });
    const upper = path.join(work, 'p-upper');
    fs.mkdirSync(upper);
    const merged = mountOverlay(work, [lower], upper);
    assert.ok(merged, 'the overlay mount failed');
    mounts.push(merged);
    fs.rmSync(path.join(merged, 'a'));
    fs.rmSync(path.join(merged, 'd'), { recursive: true });
    fs.mkdirSync(path.join(merged, 'd'));
    fs.writeFileSync(path.join(merged, 'd', 'z'), 'z');
    fs.rmSync(path.join(merged, 'e', 'y'));
    execFileSync('umount', [merged]);
    mounts.pop();

    const headers = await listTar(await collect(packDirectory(upper, { whiteouts: 'docker' })));
    const byName = new Map(headers.map((h) => [h.name, h]));
    assert.deepEqual([...byName.keys()].sort(), ['.wh.a', 'd/', 'd/.wh..wh..opq', 'd/z', 'e/', 'e/.wh.y'].sort());
    assert.equal(byName.get('.wh.a')!.type, 'file');
    assert.equal(byName.get('.wh.a')!.size, 0);
    assert.equal(byName.get('.wh.a')!.mode, 0o600);
    assert.equal(byName.get('d/')!.pax?.['SCHILY.xattr.trusted.overlay.opaque' as never], undefined);
    // Without conversion the devices are archived as devices.
    const raw = await listTar(await collect(packDirectory(upper)));
    assert.equal(raw.find((h) => h.name === 'a')?.type, 'character-device');
  });

  it('round trip: pack with docker whiteouts, extract with overlay whiteouts', async () => {
    const upper = path.join(work, 'rt-upper');
    fs.mkdirSync(path.join(upper, 'opq'), { recursive: true });
    fs.writeFileSync(path.join(upper, 'opq', 'inside'), 'i');
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(upper, 'opq')]);
    execFileSync('mknod', [path.join(upper, 'removed'), 'c', '0', '0']);
    const archive = await collect(packDirectory(upper, { whiteouts: 'docker' }));
    const back = path.join(work, 'rt-back');
    await extractLayer(streamOf(archive), back, { whiteouts: 'overlay' });
    assert.ok(isWhiteoutDevice(path.join(back, 'removed')));
    assert.equal(opaque(path.join(back, 'opq')), 'y');
    assert.deepEqual(fs.readdirSync(path.join(back, 'opq')), ['inside']);
  });
});
