import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDatabase } from '@berth/storage';
import { VolumeRecord, VolumeStore } from './volume-store';
import { cleanupRoots, tempRoot } from './test-helpers';

after(cleanupRoots);

const record = (name: string, labels: Record<string, string> = {}): VolumeRecord =>
  ({ name, driver: 'local', labels, options: {}, createdAt: 1_790_000_000, anonymous: false });

function open(): VolumeStore {
  return new VolumeStore(path.join(tempRoot(), 'metadata.db'));
}

test('create inserts once; the loser gets the stored record and does not materialise', () => {
  const store = open();
  let made = 0;
  const first = store.create(record('v1', { a: '1' }), () => { made++; });
  assert.equal(first.created, true);
  const second = store.create({ ...record('v1', { a: '2' }), createdAt: 1 }, () => { made++; });
  assert.equal(second.created, false);
  assert.deepEqual(second.record, record('v1', { a: '1' }));
  assert.equal(made, 1);
  assert.equal(store.count(), 1);
});

test('a failing materialise leaves no record', () => {
  const store = open();
  assert.throws(() => store.create(record('v2'), () => { throw new Error('disk full'); }), /disk full/);
  assert.equal(store.get('v2'), undefined);
  assert.equal(store.create(record('v2'), () => undefined).created, true);
});

test('remove is refused while referenced or mounted, and moves aside only when it deletes', () => {
  const store = open();
  store.create(record('v3'), () => undefined);
  assert.equal(store.addReference('v3', 'c2'), true);
  assert.equal(store.addReference('v3', 'c1'), true);
  assert.equal(store.addReference('v3', 'c1'), true, 'idempotent');
  assert.equal(store.addReference('nope', 'c1'), false);
  let moved = 0;
  const aside = () => { moved++; return '/aside'; };
  assert.deepEqual(store.remove('v3', aside), { outcome: 'in-use', refs: ['c1', 'c2'] });
  store.removeReference('v3', 'c1');
  store.removeReference('v3', 'c2');
  store.removeReference('v3', 'c2');
  assert.equal(store.addMount('v3', 'c9'), 1);
  assert.deepEqual(store.remove('v3', aside), { outcome: 'mounted' });
  assert.equal(store.removeMount('v3', 'c9'), 0);
  assert.equal(moved, 0);
  const res = store.remove('v3', aside);
  assert.equal(res.outcome, 'removed');
  assert.equal(moved, 1);
  assert.deepEqual(store.remove('v3', aside), { outcome: 'missing' });
  // A moveAside that throws keeps the volume.
  store.create(record('v4'), () => undefined);
  assert.throws(() => store.remove('v4', () => { throw new Error('busy'); }), /busy/);
  assert.ok(store.get('v4'));
});

test('mounts are counted per container and need the volume', () => {
  const store = open();
  store.create(record('m1'), () => undefined);
  assert.equal(store.addMount('m1', 'a'), 1);
  assert.equal(store.addMount('m1', 'a'), 1, 'the same container twice counts once');
  assert.equal(store.addMount('m1', 'b'), 2);
  assert.equal(store.removeMount('m1', 'a'), 1);
  assert.equal(store.removeMount('m1', 'a'), 1);
  assert.equal(store.removeMount('m1', 'b'), 0);
  assert.equal(store.addMount('missing', 'a'), -1);
});

test('references and mounts survive reopening the database, which only the service can read', () => {
  const dir = tempRoot();
  const a = new VolumeStore(path.join(dir, 'metadata.db'));
  for (const f of ['metadata.db', 'metadata.db-wal', 'metadata.db-shm']) assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
  a.create({ ...record('p1', { k: 'v' }), options: { type: 'tmpfs', device: 'tmpfs' }, anonymous: true }, () => undefined);
  a.addReference('p1', 'c1');
  a.addMount('p1', 'c1');
  a.close();
  const b = new VolumeStore(path.join(dir, 'metadata.db'));
  assert.deepEqual(b.get('p1'), { ...record('p1', { k: 'v' }), options: { type: 'tmpfs', device: 'tmpfs' }, anonymous: true });
  assert.deepEqual(b.references('p1'), ['c1']);
  assert.equal(b.mountCount('p1'), 1);
  assert.deepEqual(b.referenceCounts(), new Map([['p1', 1]]));
});

test('mounts and leases from before a reboot are forgotten; references are not', () => {
  const file = path.join(tempRoot(), 'metadata.db');
  const before = new VolumeStore(file, { bootId: 'boot-1' });
  before.create(record('r1'), () => undefined);
  before.addReference('r1', 'c1');
  before.addMount('r1', 'c1');
  before.tryLock('r1', 'replica', 60_000);
  before.close();
  const sameBoot = new VolumeStore(file, { bootId: 'boot-1' });
  assert.equal(sameBoot.mountCount('r1'), 1, 'a service restart keeps them');
  assert.equal(sameBoot.tryLock('r1', 'me', 60_000), false);
  sameBoot.close();
  const after = new VolumeStore(file, { bootId: 'boot-2' });
  assert.equal(after.mountCount('r1'), 0);
  assert.deepEqual(after.references('r1'), ['c1']);
  assert.equal(after.tryLock('r1', 'me', 60_000), true);
});

test('a lease is held by one owner until released or expired', () => {
  const store = open();
  assert.equal(store.tryLock('v', 'me', 60_000), true);
  assert.equal(store.tryLock('v', 'other', 60_000), false);
  assert.equal(store.tryLock('w', 'other', 60_000), true, 'leases are per volume');
  store.unlock('v', 'other'); // not the owner: no effect
  assert.equal(store.tryLock('v', 'other', 60_000), false);
  store.unlock('v', 'me');
  assert.equal(store.tryLock('v', 'other', -1), true);
  assert.equal(store.tryLock('v', 'me', 60_000), true, 'an expired lease is taken over');
});

test('a database from the first schema version is migrated', () => {
  const file = path.join(tempRoot(), 'metadata.db');
  const v1 = openDatabase(file, [`CREATE TABLE volumes (name TEXT PRIMARY KEY, driver TEXT NOT NULL, labels TEXT NOT NULL,
    options TEXT NOT NULL, created_at INTEGER NOT NULL, anonymous INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE refs (volume TEXT NOT NULL REFERENCES volumes(name) ON DELETE CASCADE, container TEXT NOT NULL, PRIMARY KEY (volume, container));
    CREATE TABLE mounts (volume TEXT NOT NULL REFERENCES volumes(name) ON DELETE CASCADE, container TEXT NOT NULL, PRIMARY KEY (volume, container));`]);
  v1.prepare("INSERT INTO volumes VALUES ('old', 'local', '{}', '{}', 1, 0)").run();
  v1.prepare("INSERT INTO mounts VALUES ('old', 'c1')").run();
  v1.close();
  const store = new VolumeStore(file);
  assert.equal(store.get('old')?.name, 'old');
  assert.equal(store.mountCount('old'), 1, 'mounts recorded before the upgrade are kept');
  assert.equal(store.tryLock('old', 'me', 1000), true);
});
