// Integration: real mounts, needs root.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import { cleanupRoots, managerRig, mountsUnder, rpcError, volumeInput } from './test-helpers';

after(cleanupRoots);

const setup = managerRig;
const input = volumeInput;

test('remove refuses a mount-backed volume a container has mounted; plain volumes go by references', async () => {
  const { manager } = setup();
  manager.create(input('busy', { driverOpts: { type: 'tmpfs', device: 'tmpfs' } }));
  await manager.mount('busy', 'c1', '/data', true, '');
  await assert.rejects(manager.remove('busy', true), rpcError(status.INTERNAL, 'remove busy: volume has active mounts'));
  assert.ok(manager['driver'].isMounted('busy'));
  await manager.unmount('busy', 'c1');
  await manager.remove('busy', false);
  // A mount without a reference is a container-service bug; like dockerd, it does not pin a plain volume.
  manager.create(input('plain'));
  await manager.mount('plain', 'c1', '/data', true, '');
  await manager.remove('plain', false);
  assert.throws(() => manager.inspect('plain'), /no such volume/);
});

test('a tmpfs volume is mounted on first use and unmounted after the last, across a restart', async () => {
  const first = setup();
  first.manager.create(input('fast', { driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=4m' } }));
  const mp = await first.manager.mount('fast', 'c1', '/data', true, '');
  assert.ok(first.driver.isMounted('fast'));
  fs.writeFileSync(path.join(mp, 'x'), 'y');
  await first.manager.mount('fast', 'c2', '/data', false, '');
  assert.deepEqual(mountsUnder(first.root), [mp], 'mounted once');
  await first.manager.unmount('fast', 'c1');
  assert.ok(first.driver.isMounted('fast'), 'still used by c2');
  assert.equal(fs.readFileSync(path.join(mp, 'x'), 'utf8'), 'y');
  first.store.close();

  // A restarted service (or another replica) knows c2 still has it mounted.
  const second = setup(first.root);
  await second.manager.mount('fast', 'c3', '/data', true, '');
  assert.equal(fs.readFileSync(path.join(mp, 'x'), 'utf8'), 'y', 'the same tmpfs, not a new one');
  await second.manager.unmount('fast', 'c2');
  assert.ok(second.driver.isMounted('fast'));
  await second.manager.unmount('fast', 'c3');
  assert.ok(!second.driver.isMounted('fast'));
  assert.ok(!fs.existsSync(path.join(mp, 'x')), 'the tmpfs content went with the mount');
  await second.manager.remove('fast', false);
  assert.deepEqual(mountsUnder(first.root), []);
});

test('a failed mount is not counted and reads like dockerd', async () => {
  const { manager, store } = setup();
  const v = manager.create(input('broken', { driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'bogus=1' } }));
  await assert.rejects(manager.mount('broken', 'c1', '/d', true, ''), rpcError(status.INTERNAL,
    `error while mounting volume '${v.mountpoint}': failed to mount local volume: mount tmpfs:${v.mountpoint}, data: bogus=1: invalid argument`));
  assert.equal(store.mountCount('broken'), 0);
  await manager.remove('broken', false);
});

test('a bind-style volume shows its device, and removing it never touches the device', async () => {
  const { manager, root, store } = setup();
  const src = path.join(root, 'src-dir');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'hello'), 'world');
  manager.create(input('bound', { driverOpts: { type: 'none', o: 'bind', device: src } }));
  const mp = await manager.mount('bound', 'c1', '/x', true, '');
  assert.equal(fs.readFileSync(path.join(mp, 'hello'), 'utf8'), 'world');
  await manager.unmount('bound', 'c1');
  assert.ok(!fs.existsSync(path.join(mp, 'hello')));

  // Left mounted with no container counted (a crash between mount and bookkeeping): remove unmounts first.
  await manager.mount('bound', 'c2', '/x', true, '');
  store.removeMount('bound', 'c2');
  assert.ok(manager['driver'].isMounted('bound'));
  await manager.remove('bound', false);
  assert.equal(fs.readFileSync(path.join(src, 'hello'), 'utf8'), 'world', 'the device is intact');
  assert.deepEqual(mountsUnder(root), []);
});
