import { after, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createLogger } from '@berth/logging';
import type { EventInput } from '@berth/events';
import { RpcError } from '@berth/rpc';
import { VolumeManager } from './volume-manager';
import { VolumeStore } from './volume-store';
import { LocalDriver } from './local-driver';
import { ANONYMOUS_LABEL } from './volume-filters';
import { validateVolumeName } from './names';
import { validateDriverOptions, mountArguments } from './options';

const roots: string[] = [];
const logger = createLogger('test', 'error');

function setup(root = fs.mkdtempSync(path.join(os.tmpdir(), 'vol-'))) {
  roots.push(root);
  const events: EventInput[] = [];
  const store = new VolumeStore(path.join(root, 'metadata.db'));
  const driver = new LocalDriver(root);
  const manager = new VolumeManager(store, driver, { publish: async (e) => { events.push(e); } }, logger);
  return { root, events, store, driver, manager };
}

const plain = { name: '', driver: '', driverOpts: {}, labels: {}, anonymous: false };
const codeOf = (e: unknown) => (e instanceof RpcError ? e.code : undefined);

after(() => {
  for (const r of roots) {
    try { execFileSync('umount', ['-R', r], { stdio: 'ignore' }); } catch { /* not mounted */ }
    fs.rmSync(r, { recursive: true, force: true });
  }
});

test('names follow the local driver rules', () => {
  validateVolumeName('ab');
  validateVolumeName('my_vol.1-x');
  assert.throws(() => validateVolumeName('a'), /volume name is too short/);
  for (const bad of ['bad!name', '../x', '/abs', '.hidden', 'a/b', '-x']) {
    assert.throws(() => validateVolumeName(bad), /includes invalid characters for a local volume name/, bad);
  }
});

test('driver options are checked with dockerd wording', () => {
  validateDriverOptions('v', { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
  assert.throws(() => validateDriverOptions('v', { foo: 'bar' }), /create v: invalid option: "foo"/);
  assert.throws(() => validateDriverOptions('v', { type: 'tmpfs' }), /missing required option: "device"/);
  assert.throws(() => validateDriverOptions('v', { size: '10m' }), /quota size requested but no quota support/);
  assert.deepEqual(mountArguments({ type: 'none', o: 'bind', device: '/src' }, '/t'), ['-o', 'bind', '/src', '/t']);
  assert.deepEqual(mountArguments({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }, '/t'), ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', '/t']);
});

test('create makes the directories, records the volume and emits one event', () => {
  const { manager, events, driver } = setup();
  const v = manager.create({ ...plain, name: 'data', labels: { a: 'b' } });
  assert.equal(v.mountpoint, driver.mountpoint('data'));
  assert.ok(fs.statSync(v.mountpoint).isDirectory());
  assert.equal(fs.statSync(v.mountpoint).mode & 0o777, 0o755);
  const again = manager.create({ ...plain, name: 'data', labels: { a: 'other' } });
  assert.deepEqual(again.labels, { a: 'b' }, 'an existing volume is returned unchanged');
  assert.deepEqual(events.map((e) => `${e.Action} ${e.Actor.ID}`), ['create data']);
  assert.throws(() => manager.create({ ...plain, name: 'xy', driver: 'nfsplugin' }), /plugin "nfsplugin" not found/);
});

test('an unnamed volume is anonymous with a 64-hex name', () => {
  const { manager } = setup();
  const v = manager.create(plain);
  assert.match(v.name, /^[0-9a-f]{64}$/);
  assert.ok(v.anonymous);
  assert.ok(ANONYMOUS_LABEL in v.labels);
});

test('two managers on one database create one volume of a name', async () => {
  const a = setup();
  const b = setup(a.root);
  const results = await Promise.all(Array.from({ length: 10 }, (_v, i) => Promise.resolve().then(() => (i % 2 ? a : b).manager.create({ ...plain, name: 'shared' }))));
  assert.equal(new Set(results.map((r) => r.createdAt)).size, 1);
  assert.equal(a.store.list().length, 1);
  assert.equal(a.events.length + b.events.length, 1);
});

test('state survives reopening the store', () => {
  const first = setup();
  first.manager.create({ ...plain, name: 'persist', labels: { k: 'v' }, driverOpts: { type: 'tmpfs', device: 'tmpfs' } });
  first.store.close();
  const second = setup(first.root);
  const v = second.manager.inspect('persist');
  assert.deepEqual(v.labels, { k: 'v' });
  assert.deepEqual(v.options, { type: 'tmpfs', device: 'tmpfs' });
});

test('list filters: name, label, dangling, driver; unknown keys refused', async () => {
  const { manager } = setup();
  manager.create({ ...plain, name: 'web-data', labels: { env: 'prod' } });
  manager.create({ ...plain, name: 'web-logs', labels: { env: 'dev' } });
  manager.create({ ...plain, name: 'cache' });
  manager.acquire('cache', 'c1');
  const names = async (filters: Record<string, string[]>) =>
    (await manager.list(Object.entries(filters).map(([key, values]) => ({ key, values })), false)).map((v) => v.name);
  assert.deepEqual(await names({ name: ['web'] }), ['web-data', 'web-logs']);
  assert.deepEqual(await names({ label: ['env=prod'] }), ['web-data']);
  assert.deepEqual(await names({ label: ['env'] }), ['web-data', 'web-logs']);
  assert.deepEqual(await names({ dangling: ['true'] }), ['web-data', 'web-logs']);
  assert.deepEqual(await names({ dangling: ['false'] }), ['cache']);
  assert.deepEqual(await names({ driver: ['local'], name: ['^cache$'] }), ['cache']);
  await assert.rejects(names({ foo: ['x'] }), /invalid filter 'foo'/);
  await assert.rejects(names({ dangling: ['maybe'] }), /invalid filter 'dangling=\[maybe\]'/);
});

test('remove refuses a referenced volume, even with force; missing volumes', async () => {
  const { manager, events } = setup();
  manager.create({ ...plain, name: 'used' });
  manager.acquire('used', 'abc123');
  await assert.rejects(manager.remove('used', false), (e) => codeOf(e) === 9 && /remove used: volume is in use - \[abc123\]/.test((e as Error).message));
  await assert.rejects(manager.remove('used', true), /volume is in use/);
  manager.release('used', 'abc123');
  await manager.remove('used', false);
  assert.ok(!fs.existsSync(path.dirname(manager['driver'].mountpoint('used'))));
  await assert.rejects(manager.remove('used', false), (e) => codeOf(e) === 5 && /get used: no such volume/.test((e as Error).message));
  await manager.remove('used', true);
  assert.deepEqual(events.map((e) => e.Action), ['create', 'destroy']);
  assert.throws(() => manager.acquire('gone', 'c'), /no such volume/);
});

test('prune takes anonymous volumes only unless asked for all, and honours labels', async () => {
  const { manager, events } = setup();
  const anon = manager.create(plain);
  manager.create({ ...plain, name: 'named' });
  manager.create({ ...plain, name: 'kept', labels: { keep: 'yes' } });
  manager.create({ ...plain, name: 'tmpfsvol', driverOpts: { type: 'tmpfs', device: 'tmpfs' } });
  manager.create({ ...plain, name: 'inuse' });
  manager.acquire('inuse', 'c1');
  fs.writeFileSync(path.join(manager.inspect('named').mountpoint, 'f'), Buffer.alloc(1000));
  const first = await manager.prune([], true);
  assert.deepEqual(first.deleted, [anon.name]);
  const second = await manager.prune([{ key: 'label!', values: ['keep=yes'] }], false);
  assert.deepEqual(second.deleted, ['named']);
  assert.equal(second.reclaimed, 1000);
  assert.deepEqual(manager['store'].list().map((v) => v.name).sort(), ['inuse', 'kept', 'tmpfsvol']);
  assert.ok(events.some((e) => e.Action === 'prune' && e.Actor.Attributes.reclaimed === '1000'));
  await assert.rejects(manager.prune([{ key: 'name', values: ['x'] }], false), /invalid filter 'name'/);
});

test('a tmpfs volume is mounted on first use and unmounted after the last', async () => {
  const { manager, driver, events } = setup();
  manager.create({ ...plain, name: 'fast', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=4m' } });
  const mp = await manager.mount('fast', 'c1', '/data', true, '');
  assert.ok(driver.isMounted('fast'));
  await manager.mount('fast', 'c2', '/data', false, '');
  await manager.unmount('fast', 'c1');
  assert.ok(driver.isMounted('fast'), 'still used by c2');
  fs.writeFileSync(path.join(mp, 'x'), 'y');
  await manager.unmount('fast', 'c2');
  assert.ok(!driver.isMounted('fast'));
  assert.ok(!fs.existsSync(path.join(mp, 'x')), 'tmpfs content went with the mount');
  const mounts = events.filter((e) => e.Action === 'mount');
  assert.equal(mounts[0].Actor.Attributes['read/write'], 'true');
  assert.equal(mounts[1].Actor.Attributes['read/write'], 'false');
  assert.equal(events.filter((e) => e.Action === 'unmount').length, 2);
});

test('a bind-style volume shows the device directory', async () => {
  const { manager, root } = setup();
  const src = path.join(root, 'src-dir');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'hello'), 'world');
  manager.create({ ...plain, name: 'bound', driverOpts: { type: 'none', o: 'bind', device: src } });
  const mp = await manager.mount('bound', 'c1', '/x', true, 'rprivate');
  assert.equal(fs.readFileSync(path.join(mp, 'hello'), 'utf8'), 'world');
  await manager.unmount('bound', 'c1');
  assert.ok(!fs.existsSync(path.join(mp, 'hello')));
  await manager.remove('bound', false);
  assert.equal(fs.readFileSync(path.join(src, 'hello'), 'utf8'), 'world', 'removing the volume leaves the device alone');
});
