import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { ImageManager } from './image-manager';
import { status } from '@grpc/grpc-js';
import type { RpcError } from '@berth/rpc';
import { testImageStore } from './image-test-helpers';
import { hostPlatform } from './platform';

const roots: string[] = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

const open = (root: string) => testImageStore(root);

async function setup() {
  const store = testImageStore();
  roots.push(store.root);
  return { ...store, imp: (content: string, repo: string) => store.imp(content, { repo }) };
}

const layerDirs = (m: ImageManager) => fs.readdirSync(m.layers.root).filter((n) => /^[0-9a-f]{64}$/.test(n));

test('a leased layer outlives rmi -f of its image, and goes with the last lease', async () => {
  const { m, leases, imp } = await setup();
  const id = await imp('a', 'app');
  const view = leases.acquire('app', 'container/c1', false);
  assert.equal(view.record.id, id);
  const [dir] = layerDirs(m);
  assert.ok(dir);
  const items = await m.remove(id, true, false);
  assert.equal(items[items.length - 1].deleted, id, 'the image record goes, as dockerd untags and deletes with -f');
  assert.equal(m.count(), 0);
  assert.deepEqual(layerDirs(m), [dir], 'the container still has its layer');
  await leases.release('container/c1');
  assert.deepEqual(layerDirs(m), [], 'released: nothing holds the layer');
});

test('prune -a skips images containers hold; their layers stay whatever happens to the record', async () => {
  const { m, leases, imp } = await setup();
  await imp('b', '');
  await imp('c', '');
  leases.acquire(m.list([], true)[0].record.id, 'container/c2', false);
  const res = await m.prune([{ key: 'dangling', values: ['false'] }]);
  assert.equal(res.items.filter((i) => i.deleted).length, 1, 'only the image no container uses');
  assert.equal(m.count(), 1);
  assert.equal(layerDirs(m).length, 1);
});

test('acquire of a missing image is dockerd\'s "No such image"; bad lease ids are refused', async () => {
  const { leases, imp } = await setup();
  await imp('d', 'there');
  assert.throws(() => leases.acquire('nothere', 'container/c3', false), /No such image: nothere:latest/);
  assert.throws(() => leases.acquire('there', '../../etc', false), /invalid lease id/);
  assert.throws(() => leases.setActive('container/none', true), /no such lease/);
});

test('with a platform, an image made for another one is not found, in dockerd\'s words', async () => {
  const { leases, imp } = await setup();
  await imp('p', 'plat');
  const host = hostPlatform();
  const other = host.architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  assert.throws(() => leases.acquire('plat', 'container/p1', false, other), (err: RpcError) =>
    err.code === status.NOT_FOUND && err.message === `image with reference plat:latest was found but its platform (linux/${host.architecture}) does not match the specified platform (${other})`);
  assert.equal(leases.acquire('plat', 'container/p2', false, `linux/${host.architecture}`).repoTags[0], 'plat:latest');
  assert.equal(leases.acquire('plat', 'container/p3', false, '').repoTags[0], 'plat:latest');
});

test('reconcile: the holder\'s list is the truth; leases survive a reopen', async () => {
  const { root, m, leases, imp } = await setup();
  const id = await imp('e', 'keep');
  leases.acquire('keep', 'container/alive', false);
  leases.acquire('keep', 'container/gone', true);
  assert.match(String(await m.remove(id, true, false).catch((e: Error) => e.message)), /running container gone/);

  const reopened = open(root);
  assert.equal(reopened.m.db.leases.list('container/').length, 2, 'leases are on disk');
  const res = await reopened.leases.reconcile('container/', [
    { leaseId: 'container/alive', imageId: id, active: true },
    { leaseId: 'container/new', imageId: id, active: false },
    { leaseId: 'container/orphan', imageId: `sha256:${'0'.repeat(64)}`, active: false },
  ]);
  assert.deepEqual(res.released, ['container/gone']);
  assert.deepEqual(res.missing, ['container/orphan']);
  assert.deepEqual(reopened.m.containerUsers(id), { running: ['alive'], stopped: ['new'] });
  await assert.rejects(reopened.leases.reconcile('container/', [{ leaseId: 'pull/x', imageId: id, active: false }]), /not under container\//);
});

test('sweep ends the job leases of dead processes and removes layers nothing refers to', async () => {
  const { m, leases } = await setup();
  const deadPid = 2 ** 22 + 12345; // above pid_max's default: never a live process
  const lease = `pull/${os.hostname()}/${deadPid}/abc`;
  m.db.atomically(() => m.db.leases.put(lease, '', false, []));
  const chain = `sha256:${'1'.repeat(64)}`;
  fs.mkdirSync(m.layers.dir(chain));
  m.db.atomically(() => {
    m.db.putLayer({ chainId: chain, diffId: chain, parent: '', size: 1, blobDigest: chain, blobMediaType: 'x', blobSize: 1 });
    m.db.leases.addLayer(lease, chain);
  });
  await leases.sweep();
  assert.equal(m.db.leases.get(lease), undefined);
  assert.equal(m.db.layer(chain), undefined);
  assert.equal(fs.existsSync(m.layers.dir(chain)), false);
});
