import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { rootfsTar } from '../images/image-test-helpers';
import { LayerStore, LayerVerificationError } from './layer-store';

const sha = (b: Buffer) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');
const neverRecorded = () => false;

function withStore(fn: (store: LayerStore, root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
    try {
      await fn(new LayerStore(root), root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

/** Everything in the layer store that is not a finished layer directory. */
const leftovers = (store: LayerStore) => fs.readdirSync(store.root).filter((n) => !/^[a-f0-9]{64}$/.test(n));

test('a layer whose diffID does not match leaves no directory under its chain ID and no temporary one', withStore(async (store) => {
  const tar = await rootfsTar('evil');
  const claimed = sha(await rootfsTar('honest'));
  await assert.rejects(store.unpack(claimed, Readable.from([gzipSync(tar)]), { diffId: claimed }, neverRecorded), LayerVerificationError);
  assert.equal(store.has(claimed), false);
  assert.deepEqual(leftovers(store), []);
}));

test('a blob whose digest does not match is refused before its directory is visible, even when the diffID matches', withStore(async (store) => {
  const tar = await rootfsTar('same files');
  const diffId = sha(tar);
  const blob = gzipSync(tar, { level: 1 });
  const other = gzipSync(tar, { level: 9, memLevel: 1 });
  assert.notEqual(sha(blob), sha(other));
  const seen: boolean[] = [];
  // Watch the chain ID's directory while the unpack runs: it must never appear.
  const timer = setInterval(() => seen.push(store.has(diffId)), 0);
  try {
    await assert.rejects(store.unpack(diffId, Readable.from([other]), { diffId, compressedDigest: sha(blob) }, neverRecorded), /verification failed for digest/);
  } finally {
    clearInterval(timer);
  }
  assert.ok(!seen.includes(true), 'never visible');
  assert.equal(store.has(diffId), false);
  assert.deepEqual(leftovers(store), []);
  const ok = await store.unpack(diffId, Readable.from([blob]), { diffId, compressedDigest: sha(blob) }, neverRecorded);
  assert.equal(ok.diffId, diffId);
  assert.equal(fs.readFileSync(path.join(store.dir(diffId), 'file.txt'), 'utf8'), 'same files');
}));

test('a crash between verification and rename leaves only a staging directory, which is never reused and is swept', withStore(async (store, root) => {
  const tar = await rootfsTar('honest');
  const diffId = sha(tar);
  // The crash: the process dies after verifying, before its rename.
  const realFs = require('node:fs') as typeof fs;
  const killed = mock.method(realFs, 'renameSync', () => { throw Object.assign(new Error('killed'), { code: 'EKILLED' }); });
  try {
    await assert.rejects(store.unpack(diffId, Readable.from([tar]), { diffId }, neverRecorded), /killed/);
  } finally {
    killed.mock.restore();
  }
  assert.equal(store.has(diffId), false, 'nothing under the chain ID');
  // What a real kill leaves: a staging directory named by the dead pid.
  const dead = spawnSync('true').pid!;
  const staging = path.join(store.root, `staging-${dead}-0123456789ab`);
  fs.mkdirSync(staging);
  fs.writeFileSync(path.join(staging, 'file.txt'), 'unverified');
  const restarted = new LayerStore(root);
  assert.equal(fs.existsSync(staging), false, 'swept at the next start');
  const res = await restarted.unpack(diffId, Readable.from([tar]), { diffId }, neverRecorded);
  assert.equal(res.diffId, diffId);
  assert.equal(fs.readFileSync(path.join(restarted.dir(diffId), 'file.txt'), 'utf8'), 'honest');
}));

test('a directory under a chain ID without a layer record (what the old rename-then-check could leave) is replaced by verified content', withStore(async (store) => {
  const tar = await rootfsTar('honest');
  const diffId = sha(tar);
  fs.mkdirSync(store.dir(diffId));
  fs.writeFileSync(path.join(store.dir(diffId), 'file.txt'), 'planted');
  fs.writeFileSync(path.join(store.dir(diffId), 'backdoor'), 'x');
  await store.unpack(diffId, Readable.from([tar]), { diffId }, neverRecorded);
  assert.equal(fs.readFileSync(path.join(store.dir(diffId), 'file.txt'), 'utf8'), 'honest');
  assert.equal(fs.existsSync(path.join(store.dir(diffId), 'backdoor')), false);
  assert.deepEqual(leftovers(store), [], 'the untrusted copy is deleted');
}));

test('a recorded layer\'s directory is kept as it is (it may be a running container\'s lower dir)', withStore(async (store) => {
  const tar = await rootfsTar('honest');
  const diffId = sha(tar);
  await store.unpack(diffId, Readable.from([tar]), { diffId }, neverRecorded);
  const inode = fs.statSync(store.dir(diffId)).ino;
  await store.unpack(diffId, Readable.from([tar]), { diffId }, () => true);
  assert.equal(fs.statSync(store.dir(diffId)).ino, inode);
  assert.deepEqual(leftovers(store), []);
}));

test('docker import\'s unpack (diffID unknown in advance) also replaces an unrecorded directory, and concurrent unpacks of one layer both succeed', withStore(async (store) => {
  const tar = await rootfsTar('imported');
  const diffId = sha(tar);
  fs.mkdirSync(store.dir(diffId));
  fs.writeFileSync(path.join(store.dir(diffId), 'file.txt'), 'planted');
  const res = await store.unpackNew(Readable.from([tar]), neverRecorded);
  assert.equal(res.diffId, diffId);
  assert.equal(fs.readFileSync(path.join(store.dir(diffId), 'file.txt'), 'utf8'), 'imported');
  const both = await Promise.all([1, 2].map(() => store.unpack(diffId, Readable.from([gzipSync(tar)]), { diffId }, neverRecorded)));
  assert.deepEqual(both.map((r) => r.diffId), [diffId, diffId]);
  assert.equal(fs.readFileSync(path.join(store.dir(diffId), 'file.txt'), 'utf8'), 'imported');
  assert.deepEqual(leftovers(store), []);
}));
