import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { status } from '@grpc/grpc-js';
import { LocalDriver } from './local-driver';
import { VolumeManager } from './volume-manager';
import { VolumeStore } from './volume-store';
import { ANONYMOUS_LABEL } from './volume-filters';
import { cleanupRoots, managerRig, recordingLogger, rpcError, tempRoot, volumeInput } from './test-helpers';

after(cleanupRoots);

const setup = managerRig;
const input = volumeInput;

test('create makes the directories, records the volume and publishes one create event', () => {
  const { manager, events, driver } = setup();
  const before = Math.floor(Date.now() / 1000);
  const v = manager.create(input('data', { labels: { a: 'b' }, driver: 'local' }));
  assert.equal(v.name, 'data');
  assert.equal(v.driver, 'local');
  assert.equal(v.scope, 'local');
  assert.equal(v.mountpoint, path.join(driver.root, 'data', '_data'));
  assert.deepEqual(v.labels, { a: 'b' });
  assert.deepEqual(v.options, {});
  assert.equal(v.anonymous, false);
  assert.equal(v.refCount, 0);
  assert.equal(v.size, -1);
  assert.match(v.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Date.parse(v.createdAt) / 1000 >= before);
  assert.ok(fs.statSync(v.mountpoint).isDirectory());
  assert.deepEqual(events, [{ Type: 'volume', Action: 'create', Actor: { ID: 'data', Attributes: { driver: 'local' } } }]);
});

test('creating an existing name returns it unchanged, whatever was asked this time', () => {
  const { manager, actions } = setup();
  const first = manager.create(input('dup', { labels: { v: '1' } }));
  fs.writeFileSync(path.join(first.mountpoint, 'keep'), 'me');
  const again = manager.create(input('dup', { labels: { v: '2' }, driverOpts: { foo: 'bar', size: '10m' } }));
  assert.deepEqual(again, first);
  assert.equal(fs.readFileSync(path.join(first.mountpoint, 'keep'), 'utf8'), 'me');
  assert.deepEqual(actions(), ['create dup'], 'no event for a volume that already existed');
});

test('create refuses in dockerd\'s order and words: driver, then name, then options', () => {
  const { manager, store, events } = setup();
  manager.create(input('exists'));
  assert.throws(() => manager.create(input('bad!name', { driver: 'nodriver' })),
    rpcError(status.NOT_FOUND, 'create bad!name: error looking up volume plugin nodriver: plugin "nodriver" not found'));
  assert.throws(() => manager.create(input('exists', { driver: 'nodriver' })), rpcError(status.NOT_FOUND, /plugin "nodriver" not found/));
  assert.throws(() => manager.create(input('bad!name', { driverOpts: { foo: 'bar' } })), rpcError(status.INVALID_ARGUMENT,
    'create bad!name: "bad!name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'));
  assert.throws(() => manager.create(input('x', { driverOpts: { foo: 'bar' } })),
    rpcError(status.INVALID_ARGUMENT, 'create x: volume name is too short, names should be at least two alphanumeric characters'));
  assert.throws(() => manager.create(input('v2', { driverOpts: { foo: 'bar' } })), rpcError(status.INVALID_ARGUMENT, 'create v2: invalid option: "foo"'));
  assert.throws(() => manager.create(input('v3', { driverOpts: { size: '10m' } })),
    rpcError(status.INVALID_ARGUMENT, 'create v3: quota size requested but no quota support'));
  assert.throws(() => manager.create(input('v4', { driverOpts: { type: 'tmpfs' } })), rpcError(status.INVALID_ARGUMENT, 'create v4: missing required option: "device"'));
  assert.deepEqual(store.list().map((v) => v.name), ['exists']);
  assert.equal(events.length, 1);
});

test('a volume created without a name is anonymous: 64 hex characters and dockerd\'s anonymous label', () => {
  const { manager } = setup();
  const v = manager.create(input('', { labels: { team: 'x' } }));
  assert.match(v.name, /^[0-9a-f]{64}$/);
  assert.equal(v.anonymous, true);
  assert.deepEqual(v.labels, { team: 'x', [ANONYMOUS_LABEL]: '' });
  const named = manager.create(input('for-container', { anonymous: true }));
  assert.equal(named.anonymous, true);
  assert.deepEqual(named.labels, { [ANONYMOUS_LABEL]: '' });
  assert.notEqual(manager.create(input('')).name, v.name);
});

test('inspect of a missing volume is not found', () => {
  const { manager } = setup();
  assert.throws(() => manager.inspect('nope'), rpcError(status.NOT_FOUND, 'get nope: no such volume'));
});

test('concurrent creates of one name in separate threads make exactly one volume', async () => {
  const root = tempRoot();
  new VolumeStore(path.join(root, 'metadata.db')).close(); // schema first, so workers only race on data
  const names = Array.from({ length: 25 }, (_v, i) => `race-${i}`);
  const threads = 4;
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { VolumeStore } = require(workerData.dir + '/volume-store.js');
    const { LocalDriver } = require(workerData.dir + '/local-driver.js');
    const { VolumeManager } = require(workerData.dir + '/volume-manager.js');
    const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
    const created = [];
    const manager = new VolumeManager(new VolumeStore(workerData.root + '/metadata.db'), new LocalDriver(workerData.root),
      { publish: async (e) => { created.push(e.Actor.ID); } }, quiet);
    const gate = workerData.barrier;
    Atomics.add(gate, 0, 1);
    Atomics.wait(gate, 1, 0);
    const names = workerData.names.slice(workerData.index * 5).concat(workerData.names.slice(0, workerData.index * 5));
    const results = names.map((name) => manager.create({ name, driver: '', driverOpts: {}, labels: { by: String(workerData.index) }, anonymous: false }));
    setImmediate(() => parentPort.postMessage({ results, created }));
  `;
  const runs = Array.from({ length: threads }, (_v, index) => new Promise<{ results: { name: string; labels: Record<string, string>; createdAt: string }[]; created: string[] }>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { dir: __dirname, root, names, index, barrier } });
    w.once('message', (m) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
  }));
  while (Atomics.load(barrier, 0) < threads) await new Promise((r) => setTimeout(r, 5));
  Atomics.store(barrier, 1, 1);
  Atomics.notify(barrier, 1);
  const outcomes = await Promise.all(runs);

  const creators = outcomes.flatMap((o) => o.created).sort();
  assert.deepEqual(creators, [...names].sort(), 'each name created (and announced) exactly once');
  const store = new VolumeStore(path.join(root, 'metadata.db'));
  assert.equal(store.count(), names.length);
  for (const name of names) {
    const seen = outcomes.map((o) => o.results.find((r) => r.name === name)!);
    const stored = store.get(name)!;
    for (const s of seen) assert.deepEqual(s.labels, stored.labels, `${name}: every caller sees the winner's volume`);
    assert.equal(new Set(seen.map((s) => s.createdAt)).size, 1);
    assert.ok(fs.statSync(path.join(root, name, '_data')).isDirectory());
  }
  store.close();
});

test('list applies the filters and counts references; sizes only when asked', async () => {
  const { manager } = setup();
  manager.create(input('web-data', { labels: { env: 'prod' } }));
  manager.create(input('web-logs', { labels: { env: 'dev' } }));
  manager.create(input('cache'));
  manager.create(input('fast', { driverOpts: { type: 'tmpfs', device: 'tmpfs' } }));
  manager.acquire('cache', 'c1');
  manager.acquire('cache', 'c2');
  fs.writeFileSync(path.join(manager.inspect('web-data').mountpoint, 'f'), Buffer.alloc(1234));
  const names = async (filters: Record<string, string[]>) =>
    (await manager.list(Object.entries(filters).map(([key, values]) => ({ key, values })), false)).map((v) => v.name);
  assert.deepEqual(await names({}), ['cache', 'fast', 'web-data', 'web-logs']);
  assert.deepEqual(await names({ name: ['web'] }), ['web-data', 'web-logs']);
  assert.deepEqual(await names({ label: ['env=prod'] }), ['web-data']);
  assert.deepEqual(await names({ label: ['env'] }), ['web-data', 'web-logs']);
  assert.deepEqual(await names({ dangling: ['true'] }), ['fast', 'web-data', 'web-logs']);
  assert.deepEqual(await names({ dangling: ['false'] }), ['cache']);
  assert.deepEqual(await names({ driver: ['local'], name: ['^cache$'] }), ['cache']);
  await assert.rejects(names({ foo: ['x'] }), /invalid filter 'foo'/);
  await assert.rejects(names({ dangling: ['maybe'] }), /invalid filter 'dangling=\[maybe\]'/);
  const plain = await manager.list([], false);
  assert.ok(plain.every((v) => v.size === -1));
  assert.equal(plain.find((v) => v.name === 'cache')?.refCount, 2);
  const sized = new Map((await manager.list([], true)).map((v) => [v.name, v.size]));
  assert.deepEqual(Object.fromEntries(sized), { cache: 0, fast: -1, 'web-data': 1234, 'web-logs': 0 });
});

test('remove refuses a referenced volume, force or not; then deletes it all', async () => {
  const { manager, actions, driver } = setup();
  const v = manager.create(input('used'));
  fs.writeFileSync(path.join(v.mountpoint, 'data'), 'x');
  manager.acquire('used', 'bbb');
  manager.acquire('used', 'aaa');
  const inUse = rpcError(status.FAILED_PRECONDITION, 'remove used: volume is in use - [aaa, bbb]');
  await assert.rejects(manager.remove('used', false), inUse);
  await assert.rejects(manager.remove('used', true), inUse);
  manager.release('used', 'aaa');
  manager.release('used', 'bbb');
  manager.release('used', 'bbb');
  await manager.remove('used', false);
  assert.ok(!fs.existsSync(driver.volumeDir('used')));
  assert.deepEqual(fs.readdirSync(driver.root).filter((n) => !n.startsWith('metadata.db')), [], 'nothing left behind');
  await assert.rejects(manager.remove('used', false), rpcError(status.NOT_FOUND, 'get used: no such volume'));
  await manager.remove('used', true);
  assert.deepEqual(actions(), ['create used', 'destroy used']);
  // The name is free again, and starts empty.
  assert.deepEqual(fs.readdirSync(manager.create(input('used')).mountpoint), []);
});

test('removals racing on one volume remove it once', async () => {
  const a = setup();
  const b = setup(a.root);
  a.manager.create(input('contended'));
  const results = await Promise.allSettled([a.manager.remove('contended', false), b.manager.remove('contended', false), a.manager.remove('contended', true)]);
  assert.ok(results.every((r) => r.status === 'fulfilled' || /no such volume/.test(String(r.reason))));
  assert.equal(a.events.filter((e) => e.Action === 'destroy').length + b.events.filter((e) => e.Action === 'destroy').length, 1);
});

test('prune takes unused anonymous volumes, or all unused ones, honouring labels', async () => {
  const { manager, events } = setup();
  const anon = manager.create(input(''));
  manager.create(input('named'));
  manager.create(input('kept', { labels: { keep: 'yes' } }));
  manager.create(input('tmpfsvol', { driverOpts: { type: 'tmpfs', device: 'tmpfs' } }));
  manager.create(input('inuse'));
  manager.acquire('inuse', 'c1');
  const named = manager.inspect('named').mountpoint;
  fs.writeFileSync(path.join(named, 'f'), 'hello\n');
  fs.symlinkSync('/d/f', path.join(named, 'link'));
  fs.linkSync(path.join(named, 'f'), path.join(named, 'hard'));
  fs.writeFileSync(path.join(anon.mountpoint, 'g'), Buffer.alloc(100));

  const first = await manager.prune([], true);
  assert.deepEqual(first, { deleted: [anon.name], reclaimed: 100 });
  const second = await manager.prune([{ key: 'label!', values: ['keep=yes'] }], false);
  assert.deepEqual(second, { deleted: ['named'], reclaimed: 10 });
  assert.deepEqual((await manager.list([], false)).map((v) => v.name), ['inuse', 'kept', 'tmpfsvol']);
  const third = await manager.prune([{ key: 'label', values: ['keep'] }], false);
  assert.deepEqual(third.deleted, ['kept']);
  assert.deepEqual(events.filter((e) => e.Action === 'destroy').map((e) => e.Actor.ID), [anon.name, 'named', 'kept']);
  assert.deepEqual(events.filter((e) => e.Action === 'prune').map((e) => e.Actor),
    [{ ID: '', Attributes: { reclaimed: '100' } }, { ID: '', Attributes: { reclaimed: '10' } }, { ID: '', Attributes: { reclaimed: '0' } }]);
  await assert.rejects(manager.prune([{ key: 'name', values: ['x'] }], false), /invalid filter 'name'/);
});

test('one prune at a time', async () => {
  const { manager } = setup();
  for (let i = 0; i < 20; i++) manager.create(input(`p${i}`));
  const running = manager.prune([], false);
  await assert.rejects(manager.prune([], false), rpcError(status.FAILED_PRECONDITION, 'a prune operation is already running'));
  assert.equal((await running).deleted.length, 20);
  assert.deepEqual(await manager.prune([], false), { deleted: [], reclaimed: 0 });
});

test('acquire and release count references', () => {
  const { manager } = setup();
  manager.create(input('ref'));
  assert.equal(manager.acquire('ref', 'c1').refCount, 1);
  assert.equal(manager.acquire('ref', 'c2').refCount, 2);
  assert.equal(manager.acquire('ref', 'c2').refCount, 2, 'the same container once');
  manager.release('ref', 'c1');
  manager.release('ref', 'c1');
  manager.release('nope', 'c1');
  assert.equal(manager.inspect('ref').refCount, 1);
  assert.throws(() => manager.acquire('gone', 'c1'), rpcError(status.NOT_FOUND, 'get gone: no such volume'));
});

test('mount and unmount of a plain volume count and publish dockerd\'s attributes', async () => {
  const { manager, events, store } = setup();
  const v = manager.create(input('plain'));
  fs.rmSync(v.mountpoint, { recursive: true });
  assert.equal(await manager.mount('plain', 'c1', '/data', true, 'rprivate'), v.mountpoint);
  assert.ok(fs.statSync(v.mountpoint).isDirectory(), 'a deleted _data is made again');
  await manager.mount('plain', 'c2', '/ro', false, '');
  assert.equal(store.mountCount('plain'), 2);
  await manager.unmount('plain', 'c1');
  await manager.unmount('plain', 'c2');
  await manager.unmount('plain', 'c2');
  await manager.unmount('nope', 'c2');
  assert.equal(store.mountCount('plain'), 0);
  assert.deepEqual(events.filter((e) => e.Action !== 'create').map((e) => [e.Action, e.Actor]), [
    ['mount', { ID: 'plain', Attributes: { container: 'c1', destination: '/data', driver: 'local', propagation: 'rprivate', 'read/write': 'true' } }],
    ['mount', { ID: 'plain', Attributes: { container: 'c2', destination: '/ro', driver: 'local', propagation: '', 'read/write': 'false' } }],
    ['unmount', { ID: 'plain', Attributes: { container: 'c1', driver: 'local' } }],
    ['unmount', { ID: 'plain', Attributes: { container: 'c2', driver: 'local' } }],
    ['unmount', { ID: 'plain', Attributes: { container: 'c2', driver: 'local' } }],
  ]);
  await assert.rejects(manager.mount('nope', 'c1', '/x', true, ''), rpcError(status.NOT_FOUND, 'get nope: no such volume'));
});

test('event publishing failures are logged, never fatal', async () => {
  const root = tempRoot();
  const logger = recordingLogger();
  const store = new VolumeStore(path.join(root, 'metadata.db'));
  const manager = new VolumeManager(store, new LocalDriver(root), { publish: async () => { throw new Error('redis down'); } }, logger);
  manager.create(input('ev'));
  await manager.remove('ev', false);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(logger.entries.map((e) => [e.level, e.fields?.action, e.fields?.error]), [['warn', 'create', 'redis down'], ['warn', 'destroy', 'redis down']]);
});

test('start finishes removals a crash interrupted', async () => {
  const { manager, driver } = setup();
  driver.createDirectories('half');
  fs.writeFileSync(path.join(driver.mountpoint('half'), 'f'), 'x');
  driver.moveAside('half');
  assert.equal(driver.leftovers().length, 1);
  await manager.start();
  assert.deepEqual(driver.leftovers(), []);
});

test('a record whose name would escape the root is never acted on', async () => {
  const { manager, root } = setup();
  const outside = path.join(path.dirname(root), `${path.basename(root)}-victim`);
  fs.mkdirSync(path.join(outside, '_data'), { recursive: true });
  const db = manager['store']['db'] as import('@berth/storage').Db;
  db.prepare("INSERT INTO volumes VALUES (?, 'local', '{}', '{}', 1, 0)").run(`../${path.basename(outside)}`);
  const name = `../${path.basename(outside)}`;
  await assert.rejects(manager.remove(name, false), /refusing volume path outside/);
  await assert.rejects(manager.mount(name, 'c', '/x', true, ''), /refusing volume path outside/);
  assert.ok(fs.existsSync(path.join(outside, '_data')));
  fs.rmSync(outside, { recursive: true });
});

