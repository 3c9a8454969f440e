import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';

import { extractLayer, extractLayerAtomically, openMaybeCompressed, packDirectory, sha256Stream } from './index';
import { findCommand } from './system';
import { collect, isRoot, listTar, removeDir, snapshot, streamOf, tempDir } from './tar-fixtures';

const CAPABILITY = Buffer.from('AQAAAgAgAAAAAAAAAAAAAAAAAAA=', 'base64'); // cap_net_raw+ep

function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

function setTimes(p: string, seconds: number): void {
  fs.lutimesSync(p, seconds, seconds);
}

/** A tree with one of everything a layer can hold. */
function buildTree(root: string): void {
  fs.mkdirSync(path.join(root, 'bin'));
  fs.writeFileSync(path.join(root, 'bin', 'tool'), '#!/bin/sh\necho tool\n');
  fs.chmodSync(path.join(root, 'bin', 'tool'), 0o4755);
  fs.linkSync(path.join(root, 'bin', 'tool'), path.join(root, 'bin', 'tool-hardlink'));
  fs.symlinkSync('tool', path.join(root, 'bin', 'tool-symlink'));
  fs.symlinkSync('/does/not/exist', path.join(root, 'dangling'));
  fs.mkdirSync(path.join(root, 'tmp'));
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.mkdirSync(path.join(root, 'srv', 'data'), { recursive: true });
  fs.chmodSync(path.join(root, 'srv'), 0o2750);
  fs.writeFileSync(path.join(root, 'srv', 'data', 'big.bin'), Buffer.alloc(300_000, 7));
  fs.writeFileSync(path.join(root, 'srv', 'data', 'empty'), '');
  fs.chmodSync(path.join(root, 'srv', 'data', 'empty'), 0o600);
  fs.writeFileSync(path.join(root, 'ünïcödé name.txt'), 'utf8\n');
  const deep = path.join(root, 'deep', 'a'.repeat(90), 'b'.repeat(90), 'c'.repeat(90));
  fs.mkdirSync(deep, { recursive: true });
  fs.writeFileSync(path.join(deep, `${'f'.repeat(120)}.txt`), 'long name\n');
  fs.symlinkSync(`../../${'x'.repeat(150)}`, path.join(root, 'deep', 'long-link'));
  if (isRoot) {
    execFileSync('mknod', [path.join(root, 'null'), 'c', '1', '3']);
    execFileSync('mknod', [path.join(root, 'loop'), 'b', '7', '0']);
    execFileSync('mknod', [path.join(root, 'fifo'), 'p']);
    fs.lchownSync(path.join(root, 'srv'), 1000, 1001);
    fs.lchownSync(path.join(root, 'srv', 'data', 'big.bin'), 3_000_000, 3_000_001); // needs base-256 / PAX
    fs.lchownSync(path.join(root, 'dangling'), 42, 43);
  }
  if (isRoot && findCommand('setfattr')) {
    execFileSync('setfattr', ['-n', 'security.capability', '-v', `0s${CAPABILITY.toString('base64')}`, path.join(root, 'bin', 'tool')]);
  }
  // Times last, deepest first, since writing into a directory changes its mtime.
  const all: string[] = [];
  const walk = (d: string): void => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      all.push(p);
      if (fs.lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(root);
  all.sort((a, b) => b.length - a.length);
  let t = 1_500_000_000;
  for (const p of all) setTimes(p, t++);
}

describe('pack → extract round trip', () => {
  let work: string;
  let src: string;
  let archive: Buffer;

  before(async () => {
    work = tempDir();
    src = path.join(work, 'src');
    fs.mkdirSync(src);
    buildTree(src);
    archive = await collect(packDirectory(src));
  });
  after(() => removeDir(work));

  it('preserves types, modes, owners, links, devices and mtimes', async () => {
    const dst = path.join(work, 'dst');
    const result = await extractLayer(streamOf(archive), dst);
    assert.deepEqual(snapshot(dst), snapshot(src));
    assert.deepEqual(result.warnings, []);
    const a = fs.statSync(path.join(dst, 'bin', 'tool'));
    const b = fs.statSync(path.join(dst, 'bin', 'tool-hardlink'));
    assert.equal(a.ino, b.ino, 'hard link kept as a link');
    assert.equal(a.nlink, 2);
    assert.equal(fs.readlinkSync(path.join(dst, 'deep', 'long-link')), `../../${'x'.repeat(150)}`);
  });

  it('reports size, diffId and compressedDigest', async () => {
    const dst = path.join(work, 'dst-digest');
    const gz = zlib.gzipSync(archive);
    const result = await extractLayer(streamOf(gz), dst);
    assert.equal(result.compression, 'gzip');
    assert.equal(result.diffId, sha256(archive));
    assert.equal(result.compressedDigest, sha256(gz));
    const expectedSize = Object.values(snapshot(src)).filter((n) => n.type === 'file').reduce((s, n) => s + n.size!, 0)
      - fs.statSync(path.join(src, 'bin', 'tool')).size; // the hard link carries no data
    assert.equal(result.size, expectedSize);
    const plain = await extractLayer(streamOf(archive), path.join(work, 'dst-plain'));
    assert.equal(plain.compression, 'none');
    assert.equal(plain.compressedDigest, plain.diffId);
    assert.equal(plain.diffId, sha256(archive));
  });

  it('is reproducible and sorted', async () => {
    const again = await collect(packDirectory(src));
    assert.ok(again.equals(archive));
    const names = (await listTar(archive)).map((h) => h.name);
    assert.ok(names.indexOf('bin/') < names.indexOf('bin/tool'));
    assert.ok(names.indexOf('bin/tool') < names.indexOf('bin/tool-hardlink'));
    const top = names.filter((n) => !n.replace(/\/$/, '').includes('/'));
    assert.deepEqual(top, [...top].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    const headers = await listTar(archive);
    const link = headers.find((h) => h.name === 'bin/tool-hardlink')!;
    assert.equal(link.type, 'link');
    assert.equal(link.linkname, 'bin/tool');
  });

  it('is readable by GNU tar', { skip: !findCommand('tar') }, () => {
    const listing = execFileSync('tar', ['-tvf', '-'], { input: archive }).toString();
    assert.match(listing, /bin\/tool-hardlink link to bin\/tool/);
    assert.match(listing, /ünïcödé name\.txt/);
    assert.match(listing, new RegExp(`${'f'.repeat(120)}\\.txt`));
  });

  it('rebases names and includes the root when asked', async () => {
    const names = (await listTar(await collect(packDirectory(path.join(src, 'bin'), { rebase: 'usr/bin', includeRoot: true })))).map((h) => h.name);
    assert.deepEqual(names, ['usr/bin/', 'usr/bin/tool', 'usr/bin/tool-hardlink', 'usr/bin/tool-symlink']);
    const plain = (await listTar(await collect(packDirectory(path.join(src, 'bin'), { includeRoot: true })))).map((h) => h.name);
    assert.deepEqual(plain, ['./', 'tool', 'tool-hardlink', 'tool-symlink']);
  });

  it('packs a single file under its own name or the rebase', async () => {
    const one = await listTar(await collect(packDirectory(path.join(src, 'bin', 'tool'))));
    assert.deepEqual(one.map((h) => [h.name, h.type, h.mode]), [['tool', 'file', 0o4755]]);
    const renamed = await listTar(await collect(packDirectory(path.join(src, 'bin', 'tool'), { rebase: 'renamed' })));
    assert.deepEqual(renamed.map((h) => h.name), ['renamed']);
  });

  it('filters paths out', async () => {
    const names = (await listTar(await collect(packDirectory(src, { filter: (rel) => !rel.startsWith('deep') && rel !== 'srv/data' })))).map((h) => h.name);
    assert.ok(names.includes('srv/'));
    assert.ok(!names.some((n) => n.startsWith('deep') || n.startsWith('srv/data')));
  });

  it('extractLayerAtomically leaves only the final directory', async () => {
    const parent = path.join(work, 'atomic');
    const final = path.join(parent, 'layer');
    await extractLayerAtomically(streamOf(zlib.gzipSync(archive)), final);
    assert.deepEqual(fs.readdirSync(parent), ['layer']);
    assert.deepEqual(snapshot(final), snapshot(src));
    // Already there (another pull won the race): same result, temp copy discarded, final untouched.
    fs.writeFileSync(path.join(final, 'marker'), 'first');
    const again = await extractLayerAtomically(streamOf(archive), final);
    assert.equal(again.diffId, sha256(archive));
    assert.deepEqual(fs.readdirSync(parent), ['layer']);
    assert.equal(fs.readFileSync(path.join(final, 'marker'), 'utf8'), 'first');
  });

  it('packDirectory prefix names every entry below it', async () => {
    const names = (await listTar(await collect(packDirectory(path.join(src, 'srv'), { prefix: 'opt/srv' })))).map((h) => h.name);
    assert.deepEqual(names, ['opt/srv/data/', 'opt/srv/data/big.bin', 'opt/srv/data/empty']);
  });

  it('sha256Stream passes bytes through and hashes them', async () => {
    const { stream, digest } = sha256Stream();
    const out = await collect(streamOf(archive).pipe(stream));
    assert.deepEqual(out, archive);
    assert.equal(digest(), sha256(archive));
    assert.equal(digest(), sha256(archive), 'digest() may be called again');
  });
});

describe('compression', () => {
  let work: string;
  let archive: Buffer;
  before(async () => {
    work = tempDir();
    fs.mkdirSync(path.join(work, 'src'));
    fs.writeFileSync(path.join(work, 'src', 'hello'), 'hello\n');
    archive = await collect(packDirectory(path.join(work, 'src')));
  });
  after(() => removeDir(work));

  for (const [kind, args] of [['xz', ['-z', '-c']], ['zstd', ['-z', '-c', '-q']], ['bzip2', ['-z', '-c']]] as const) {
    it(`decompresses ${kind} with the Debian binary`, { skip: !findCommand(kind) }, async () => {
      const compressed = execFileSync(kind, [...args], { input: archive });
      const result = await extractLayer(streamOf(compressed), path.join(work, `out-${kind}`));
      assert.equal(result.compression, kind);
      assert.equal(result.diffId, sha256(archive));
      assert.equal(result.compressedDigest, sha256(compressed));
      assert.equal(fs.readFileSync(path.join(work, `out-${kind}`, 'hello'), 'utf8'), 'hello\n');
    });

    it(`rejects truncated ${kind}`, { skip: !findCommand(kind) }, async () => {
      const compressed = execFileSync(kind, [...args], { input: Buffer.concat([archive, Buffer.alloc(100_000, 1)]) });
      const target = path.join(work, `trunc-${kind}`);
      await assert.rejects(extractLayerAtomically(streamOf(compressed.subarray(0, compressed.length - 20)), target), { name: 'InvalidArchiveError' });
      assert.equal(fs.existsSync(target), false);
    });
  }

  it('openMaybeCompressed passes plain tar through and gunzips gzip', async () => {
    const plain = await openMaybeCompressed(streamOf(archive));
    assert.equal(plain.compression, 'none');
    assert.ok((await collect(plain.stream)).equals(archive));
    const gz = await openMaybeCompressed(streamOf(zlib.gzipSync(archive), 3));
    assert.equal(gz.compression, 'gzip');
    assert.ok((await collect(gz.stream)).equals(archive));
    const empty = await openMaybeCompressed(streamOf(Buffer.alloc(0)));
    assert.equal((await collect(empty.stream)).length, 0);
    const tiny = await openMaybeCompressed(streamOf(Buffer.from([1, 2])));
    assert.deepEqual([...(await collect(tiny.stream))], [1, 2]);
  });

  it('accepts an empty archive', async () => {
    const result = await extractLayer(streamOf(Buffer.alloc(1024)), path.join(work, 'empty'));
    assert.equal(result.size, 0);
    assert.deepEqual(fs.readdirSync(path.join(work, 'empty')), []);
  });
});
