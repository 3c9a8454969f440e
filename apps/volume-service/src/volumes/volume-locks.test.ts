import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VolumeLocks } from './volume-locks';
import { VolumeStore } from './volume-store';
import { cleanupRoots, tempRoot } from './test-helpers';

after(cleanupRoots);

test('two replicas on one database never run a volume\'s critical sections at once', async () => {
  const file = path.join(tempRoot(), 'metadata.db');
  const replicas = [new VolumeLocks(new VolumeStore(file), { pollMs: 2 }), new VolumeLocks(new VolumeStore(file), { pollMs: 2 })];
  let inside = 0;
  let most = 0;
  const order: number[] = [];
  await Promise.all(Array.from({ length: 12 }, (_v, i) => replicas[i % 2].run('shared', async () => {
    inside++;
    most = Math.max(most, inside);
    await sleep(3);
    order.push(i);
    inside--;
  })));
  assert.equal(most, 1);
  assert.equal(order.length, 12);
  // Other volumes are not held up.
  let otherRan = false;
  await Promise.all([
    replicas[0].run('a', async () => { await sleep(30); }),
    replicas[1].run('b', async () => { otherRan = true; }),
  ]);
  assert.ok(otherRan);
});

test('a failing section releases the lease', async () => {
  const store = new VolumeStore(path.join(tempRoot(), 'metadata.db'));
  const locks = new VolumeLocks(store);
  await assert.rejects(locks.run('v', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await locks.run('v', async () => 'next'), 'next');
  assert.equal(store.tryLock('v', 'someone', 1000), true, 'nothing left held');
});

test('the lease of a replica that died is taken over when it expires', async () => {
  const store = new VolumeStore(path.join(tempRoot(), 'metadata.db'));
  assert.equal(store.tryLock('v', 'dead-replica', 50), true);
  const locks = new VolumeLocks(store, { pollMs: 5 });
  const started = Date.now();
  await locks.run('v', async () => undefined);
  assert.ok(Date.now() - started >= 40, 'waited for the expiry');
});
