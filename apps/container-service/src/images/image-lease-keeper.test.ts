import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger } from '@berth/logging';
import { ContainerStore } from '../containers/container-store';
import type { ContainerRecord } from '../containers/container-record';
import { ImageLeaseKeeper } from './image-lease-keeper';
import { FakeImageService } from './lease-test-helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-leases-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const settle = (ms = 10) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const store = new ContainerStore(path.join(dir, `${Math.random()}`, 'metadata.db'));
  const images = new FakeImageService();
  const keeper = new ImageLeaseKeeper(images.client, store, createLogger('test', 'error'));
  after(() => keeper.close());
  const record = (id: string): ContainerRecord => ({
    Id: id, Name: `n${id}`, Created: '', Path: 'sh', Args: [], ImageName: 'busybox', Image: images.imageId, Config: {}, HostConfig: {}, NetworkingConfig: {}, Platform: 'linux', State: { Status: 'created' },
  } as ContainerRecord);
  const create = (id: string) => keeper.withLease(id, 'busybox', '', () => { store.insert(record(id)); });
  return { store, images, keeper, create, record };
}

test('a lease from create to remove, active while the container runs', async () => {
  const { store, images, keeper, create, record } = setup();
  await create('c1');
  assert.deepEqual(images.leases.get('container/c1'), { imageId: images.imageId, active: false });
  store.update('c1', (r) => ({ ...r, State: { ...r.State, Status: 'running' } }));
  await settle(300);
  assert.equal(images.leases.get('container/c1')?.active, true);
  store.update('c1', (r) => ({ ...r, State: { ...r.State, Status: 'exited' } }));
  await settle(300);
  assert.equal(images.leases.get('container/c1')?.active, false);
  store.delete('c1');
  keeper.lifecycleObserver().removed?.(record('c1'));
  await settle();
  assert.equal(images.leases.has('container/c1'), false);
});

test('a container that starts, exits and is removed at once costs one call: the release', async () => {
  const { store, images, keeper, create, record } = setup();
  await create('brief');
  const before = images.calls.length;
  store.update('brief', (r) => ({ ...r, State: { ...r.State, Status: 'running' } }));
  store.update('brief', (r) => ({ ...r, State: { ...r.State, Status: 'exited' } }));
  store.delete('brief');
  keeper.lifecycleObserver().removed?.(record('brief'));
  await settle(300);
  assert.deepEqual(images.calls.slice(before), ['releaseLease']);
  assert.equal(images.leases.has('container/brief'), false);
});

test('a create that fails after the lease gives it back', async () => {
  const { images, keeper } = setup();
  await assert.rejects(keeper.withLease('c2', 'busybox', '', () => { throw new Error('name taken'); }), /name taken/);
  assert.equal(images.leases.size, 0);
});

test('a removal while image-service is down is settled by a reconcile once it is back', async () => {
  const { store, images, keeper, create, record } = setup();
  await create('keep');
  await create('gone');
  images.down = true;
  store.delete('gone');
  keeper.lifecycleObserver().removed?.(record('gone'));
  await settle();
  assert.equal(images.leases.has('container/gone'), true, 'image-service could not be told');
  images.down = false;
  await settle(700); // the first retry comes after 500 ms
  assert.deepEqual([...images.leases.keys()], ['container/keep']);
  assert.ok(images.calls.includes('reconcileLeases'));
});

test('start-up reconcile: leases of containers that are not recorded go, recorded ones are (re)taken', async () => {
  const { store, images, keeper } = setup();
  images.leases.set('container/stale', { imageId: images.imageId, active: true });
  store.insert({ Id: 'old', Name: 'old', Created: '', Path: 'sh', Args: [], ImageName: 'busybox', Image: images.imageId, Config: {}, HostConfig: {}, NetworkingConfig: {}, Platform: 'linux', State: { Status: 'running' } } as ContainerRecord);
  await keeper.start();
  assert.deepEqual([...images.leases.entries()], [['container/old', { imageId: images.imageId, active: true }]]);
});

test('no lease call crosses a reconcile: a create during one lands after it', async () => {
  const { images, keeper, create } = setup();
  const reconciling = keeper.reconcile();
  const creating = create('during');
  await Promise.all([reconciling, creating]);
  assert.equal(images.leases.has('container/during'), true, 'the reconcile did not release a lease taken meanwhile');
  assert.deepEqual(images.calls.slice(-2), ['reconcileLeases', 'acquireImage']);
});
