import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { HelperFailure, startHelper } from './fs-helper-client';
import type { HelperRequest } from './fs-helper-protocol';
import { graftMounts, mountBelow, type ViewMount } from './mount-view';
import { archiveTarget, packTarget, statForCp } from './cp-read';
import type { PathStatJson } from './path-stat';

const isRoot = process.getuid?.() === 0;
// An integration test says what it needs rather than skipping (scripts/run-tests.mjs integration).
if (!isRoot) throw new Error(`${__filename}: needs root`);

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

const tarList = (buf: Buffer): string[] => execFileSync('tar', ['-tv', '--numeric-owner'], { input: buf }).toString().trim().split('\n');
const tarNames = (buf: Buffer): string[] => execFileSync('tar', ['-t'], { input: buf }).toString().trim().split('\n');
const tarFile = (buf: Buffer, name: string): string => execFileSync('tar', ['-xO', name], { input: buf }).toString();

/** A tar of the named paths below `dir`, made by GNU tar. */
function makeTar(dir: string, names: string[]): Buffer {
  return execFileSync('tar', ['-C', dir, '-cf', '-', ...names]);
}

/**
 * The helper against a plain directory standing for a container's root
 * filesystem, with a volume, a read-only volume and a file bind like the
 * container's /etc/hostname: what docker cp sees and may write.
 */
describe('the fs helper: docker cp in the container\'s view', () => {
  let work: string;
  let root: string;
  let volume: string;
  let readOnly: string;
  let hostnameFile: string;
  let mounts: ViewMount[];

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cp-'));
    root = path.join(work, 'rootfs');
    for (const d of ['etc', 'tmp', 'data', 'ro', 'bin']) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    fs.writeFileSync(path.join(root, 'etc/hostname'), ''); // runc's mount point
    fs.writeFileSync(path.join(root, 'bin/sh'), 'elf');
    fs.symlinkSync('/etc', path.join(root, 'tmp/etclink'));
    fs.symlinkSync('../../../../..', path.join(root, 'tmp/up'));
    fs.writeFileSync(path.join(work, 'host-secret'), 'host');
    volume = path.join(work, 'vol');
    fs.mkdirSync(volume);
    fs.writeFileSync(path.join(volume, 'in-volume'), 'volume data');
    readOnly = path.join(work, 'rovol');
    fs.mkdirSync(readOnly);
    hostnameFile = path.join(work, 'hostname');
    fs.writeFileSync(hostnameFile, 'c0ffee\n');
    mounts = [
      { source: volume, destination: '/data', readOnly: false },
      { source: readOnly, destination: '/ro', readOnly: true },
      { source: hostnameFile, destination: '/etc/hostname', readOnly: false },
    ];
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  const stat = async (p: string): Promise<PathStatJson> => {
    const run = startHelper({ op: 'stat', rootfs: root, mounts, path: p });
    const s = await run.stat;
    await run.finished;
    return s;
  };

  const archive = async (p: string): Promise<{ stat: PathStatJson; tar: Buffer }> => {
    const run = startHelper({ op: 'archive', rootfs: root, mounts, path: p });
    const s = await run.stat;
    const tar = await collect(run.stdout!);
    await run.finished;
    return { stat: s, tar };
  };

  const extract = async (p: string, tar: Buffer, extra: Partial<Extract<HelperRequest, { op: 'extract' }>> = {}): Promise<void> => {
    const run = startHelper({
      op: 'extract', rootfs: root, mounts, path: p, noOverwriteDirNonDir: false, readonlyRootfs: false,
      volumes: [{ destination: '/data', rw: true }, { destination: '/ro', rw: false }], ...extra,
    });
    Readable.from([tar]).pipe(run.stdin!);
    await run.finished;
  };

  const failsWith = async (work: Promise<unknown>, kind: string, message: string | RegExp): Promise<void> => {
    await assert.rejects(work, (err: unknown) => {
      assert.ok(err instanceof HelperFailure, String(err));
      assert.equal(err.kind, kind);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });
  };

  test('stat: a mounted file is seen through its mount; a symlink reports its target in the container', async () => {
    const h = await stat('/etc/hostname');
    assert.equal(h.name, 'hostname');
    assert.equal(h.size, 7);
    assert.equal(h.mode, 0o644);
    const link = await stat('/tmp/etclink');
    assert.equal(link.linkTarget, '/etc');
    assert.equal(link.mode, 2 ** 27 + 0o777);
    assert.equal((await stat('/tmp/up')).linkTarget, '/');
    assert.equal((await stat('/tmp/etclink/')).mode, 2 ** 31 + 0o755);
    assert.equal((await stat('/')).name, '/');
  });

  test('stat: missing paths and a file used as a directory', async () => {
    await failsWith(stat('/nonexistent'), 'notFound', /no such file/);
    await failsWith(stat('/etc/hostname/'), 'internal', 'lstat /etc/hostname/: not a directory');
  });

  test('archive: a directory under its base name, with mounted content; a file alone', async () => {
    const etc = await archive('/etc');
    assert.deepEqual(tarNames(etc.tar), ['etc/', 'etc/group', 'etc/hostname', 'etc/passwd']);
    assert.equal(tarFile(etc.tar, 'etc/hostname'), 'c0ffee\n');
    const file = await archive('/etc/passwd');
    assert.deepEqual(tarNames(file.tar), ['passwd']);
    assert.equal(file.stat.name, 'passwd');
    assert.deepEqual(tarNames((await archive('/data/.')).tar), ['./', './in-volume']);
  });

  test('archive: through symlinks, never out of the root; `/` with absolute names', async () => {
    assert.deepEqual(tarNames((await archive('/tmp/etclink')).tar), ['etclink']);
    assert.match(tarList((await archive('/tmp/etclink')).tar)[0]!, /etclink -> \/etc$/);
    assert.deepEqual(tarNames((await archive('/tmp/etclink/')).tar), ['etclink/', 'etclink/group', 'etclink/hostname', 'etclink/passwd']);
    const up = tarNames((await archive('/tmp/up/')).tar);
    assert.ok(up.includes('up/bin/sh') && up.includes('up/data/in-volume'), up.join(' '));
    assert.ok(!up.some((n) => n.includes('host-secret')));
    const all = tarNames((await archive('/')).tar);
    assert.equal(all[0], '/');
    assert.ok(all.includes('/data/in-volume') && all.includes('/etc/hostname'), all.join(' '));
  });

  test('extract: into a directory, through links resolved in the root, into a volume', async () => {
    const src = path.join(work, 'src1');
    fs.mkdirSync(path.join(src, 'etclink'), { recursive: true });
    fs.mkdirSync(path.join(src, 'up'));
    fs.writeFileSync(path.join(src, 'a'), 'A');
    fs.writeFileSync(path.join(src, 'etclink/b'), 'B');
    fs.writeFileSync(path.join(src, 'up/c'), 'C');
    await extract('/tmp', makeTar(src, ['a', 'etclink/b', 'up/c']));
    assert.equal(fs.readFileSync(path.join(root, 'tmp/a'), 'utf8'), 'A');
    assert.equal(fs.readFileSync(path.join(root, 'etc/b'), 'utf8'), 'B');
    assert.equal(fs.readFileSync(path.join(root, 'c'), 'utf8'), 'C');
    assert.ok(fs.lstatSync(path.join(root, 'tmp/etclink')).isSymbolicLink(), 'the link itself stays');
    await extract('/data', makeTar(src, ['a']));
    assert.equal(fs.readFileSync(path.join(volume, 'a'), 'utf8'), 'A', 'written to the volume');
    assert.ok(!fs.existsSync(path.join(root, 'data/a')), 'not under the mount point');
    await extract('/tmp/etclink', makeTar(src, ['a']));
    assert.equal(fs.readFileSync(path.join(root, 'etc/a'), 'utf8'), 'A', 'a link to a directory is a fine destination');
    assert.equal(fs.readFileSync(path.join(work, 'host-secret'), 'utf8'), 'host');
  });

  test('extract: refusals in dockerd\'s words', async () => {
    const src = path.join(work, 'src2');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'etc'), 'not a dir');
    fs.writeFileSync(path.join(src, 'hostname'), 'evil');
    await failsWith(extract('/missing', makeTar(src, ['etc'])), 'notFound', /no such file/);
    await failsWith(extract('/etc/passwd', makeTar(src, ['etc'])), 'invalid', 'extraction point is not a directory');
    await failsWith(extract('/ro', makeTar(src, ['etc'])), 'invalid', 'mounted volume is marked read-only');
    await failsWith(extract('/tmp', makeTar(src, ['etc']), { readonlyRootfs: true }), 'invalid', 'container rootfs is marked read-only');
    await failsWith(extract('/', makeTar(src, ['etc']), { noOverwriteDirNonDir: true }), 'internal', 'cannot overwrite directory "/etc" with non-directory "/"');
    await failsWith(extract('/etc', makeTar(src, ['hostname'])), 'internal', 'unlinkat /etc/hostname: device or resource busy');
    assert.equal(fs.readFileSync(hostnameFile, 'utf8'), 'c0ffee\n');
    assert.ok(fs.statSync(path.join(root, 'etc')).isDirectory());
  });

  test('extract: copyUIDGID gives the files to the container\'s user', async () => {
    const src = path.join(work, 'src3');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'owned'), 'x');
    await extract('/tmp', makeTar(src, ['owned']), { user: 'nobody' });
    const st = fs.statSync(path.join(root, 'tmp/owned'));
    assert.deepEqual([st.uid, st.gid], [65534, 65534]);
    await failsWith(extract('/tmp', makeTar(src, ['owned']), { user: 'ghost' }), 'invalid', 'failed to look up user "ghost" in container: no matching entries in passwd file');
  });

  test('reading in-process through path grafts sees what the helper sees', async () => {
    const grafts = graftMounts(root, mounts);
    for (const p of ['/etc/hostname', '/tmp/etclink', '/tmp/up', '/tmp/etclink/', '/', '/data', '/data/in-volume', '/etc/passwd', 'etc/./hostname']) {
      assert.deepEqual(statForCp(root, p, grafts), await stat(p), p);
    }
    for (const p of ['/bin', '/etc/hostname', '/data/.', '/tmp/etclink', '/ro']) {
      const target = archiveTarget(root, p, grafts);
      assert.ok(!(target.isDir && mountBelow(target.containerPath, grafts)), p);
      const helper = await archive(p);
      assert.deepEqual(target.stat, helper.stat, p);
      assert.deepEqual(tarList(await collect(packTarget(target))), tarList(helper.tar), p);
    }
    for (const p of ['/', '/tmp/up/', '/etc', '/tmp/etclink/']) {
      const target = archiveTarget(root, p, grafts);
      assert.ok(target.isDir && mountBelow(target.containerPath, grafts), `${p} holds mounts: the helper packs it`);
    }
  });

  test('nothing the helper mounted is left in this mount namespace', () => {
    const info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    assert.ok(!info.includes(root), 'no mount under the test root');
  });
});

/**
 * The helper works chrooted in the root: a tree that changes under it (a
 * container swapping a directory for a symlink to `/`) can only ever point
 * it at the root's own files, and a mount destination that is a link to a
 * host path is attached inside the root.
 */
describe('the fs helper against a hostile root', () => {
  let work: string;
  let root: string;
  let hostDir: string;
  let volume: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cp-hostile-'));
    root = path.join(work, 'rootfs');
    hostDir = path.join(work, 'host');
    volume = path.join(work, 'vol');
    for (const d of [path.join(root, 'w/d'), path.join(root, 'etc'), hostDir, volume]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    fs.writeFileSync(path.join(hostDir, 'secret'), 'host secret');
    fs.mkdirSync(path.join(root, 'w/d', hostDir), { recursive: true });
    fs.writeFileSync(path.join(root, 'w/d', hostDir, 'secret'), 'inside');
    fs.writeFileSync(path.join(volume, 'in-volume'), 'volume data');
    fs.symlinkSync(hostDir, path.join(root, 'data'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('a mount destination linking to a host path is attached inside the root', async () => {
    const run = startHelper({ op: 'archive', rootfs: root, mounts: [{ source: volume, destination: '/data', readOnly: false }], path: '/data/' });
    await run.stat;
    const tar = await collect(run.stdout!);
    await run.finished;
    assert.ok(tarNames(tar).some((n) => n.endsWith('in-volume')), tarNames(tar).join(' '));
    assert.deepEqual(fs.readdirSync(hostDir), ['secret']);
  });

  test('extract and archive keep xattrs and make FIFOs without running any program in the root', async () => {
    const src = path.join(work, 'xsrc');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'capped'), 'elf');
    // cap_net_raw+ep as the kernel stores it (VFS_CAP_REVISION_2 | effective, permitted bit 13).
    const cap = '0x0100000200200000000000000000000000000000';
    execFileSync('setfattr', ['-n', 'security.capability', '-v', cap, path.join(src, 'capped')]);
    execFileSync('setfattr', ['-n', 'user.berth', '-v', 'kept', path.join(src, 'capped')]);
    execFileSync('mkfifo', [path.join(src, 'fifo')]);
    const tar = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-C', src, '-cf', '-', 'capped', 'fifo']);
    // A setfattr of the container's own: it must never run.
    fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/bin/setfattr'), '#!/bin/sh\ntouch /ran\n', { mode: 0o755 });
    fs.mkdirSync(path.join(root, 'x'));
    const run = startHelper({ op: 'extract', rootfs: root, mounts: [], path: '/x', noOverwriteDirNonDir: false, readonlyRootfs: false, volumes: [] });
    Readable.from([tar]).pipe(run.stdin!);
    await run.finished;
    assert.equal(execFileSync('getfattr', ['--only-values', '-n', 'user.berth', path.join(root, 'x/capped')]).toString(), 'kept');
    assert.match(execFileSync('getfattr', ['-e', 'hex', '-n', 'security.capability', path.join(root, 'x/capped')]).toString(), new RegExp(`security.capability=${cap}`));
    assert.ok(fs.lstatSync(path.join(root, 'x/fifo')).isFIFO());
    assert.ok(!fs.existsSync(path.join(root, 'ran')));
    const out = startHelper({ op: 'archive', rootfs: root, mounts: [], path: '/x/capped' });
    await out.stat;
    const packed = await collect(out.stdout!);
    await out.finished;
    assert.ok(packed.includes('SCHILY.xattr.security.capability'), 'the capability was not archived');
  });

  test('export packs the root and nothing else', async () => {
    const run = startHelper({ op: 'export', rootfs: root });
    const tar = await collect(run.stdout!);
    await run.finished;
    const names = tarNames(tar);
    assert.ok(names.includes('etc/passwd'), names.join(' '));
    assert.ok(!names.some((n) => n.includes('in-volume')));
  });

  test('cp in and out while the tree swaps a directory with a symlink to /', async () => {
    const src = path.join(work, 'src');
    fs.mkdirSync(src);
    const name = `landed-${process.pid}`;
    fs.writeFileSync(path.join(src, name), 'payload');
    const tar = makeTar(src, [name]);
    // The attacker: d and a link to / take turns at w/d, as fast as a loop of renames goes.
    const racer = spawnRacer(path.join(root, 'w'));
    const leaked: number[] = [];
    const landed: number[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const run = startHelper({
          op: 'extract', rootfs: root, mounts: [], path: '/w/d/', noOverwriteDirNonDir: false, readonlyRootfs: false, volumes: [],
        });
        Readable.from([tar]).pipe(run.stdin!);
        await run.finished.catch(() => undefined);
        if (fs.existsSync(path.join('/', name))) landed.push(i);
        const out = startHelper({ op: 'archive', rootfs: root, mounts: [], path: `/w/d${hostDir}/secret` });
        const got = await out.stat.then(() => collect(out.stdout!), () => Buffer.alloc(0));
        await out.finished.catch(() => undefined);
        if (got.toString('latin1').includes('host secret')) leaked.push(i);
      }
    } finally {
      racer.kill('SIGKILL');
      fs.rmSync(path.join('/', name), { force: true });
    }
    assert.deepEqual(landed, [], 'the helper wrote onto the host');
    assert.deepEqual(leaked, [], 'the helper read a host file');
  });
});

/** A process that keeps swapping `dir/d` (a directory) with a symlink to `/`, until killed. */
function spawnRacer(dir: string): import('node:child_process').ChildProcess {
  const script = `
    const fs = require('fs');
    const d = ${JSON.stringify(dir)} + '/d', real = ${JSON.stringify(dir)} + '/real';
    for (;;) {
      try { fs.renameSync(d, real); fs.symlinkSync('/', d); fs.unlinkSync(d); fs.renameSync(real, d); } catch {}
    }`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}
