import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyedLock } from './keyed-lock';

describe('KeyedLock', () => {
  test('runs one key in order, other keys freely, and goes on after a failure', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    await Promise.all([
      lock.run('a', async () => { await new Promise((r) => setTimeout(r, 20)); order.push('a1'); }),
      lock.run('a', async () => { order.push('a2'); }),
      lock.run('b', async () => { order.push('b1'); }),
    ]);
    assert.deepEqual(order, ['b1', 'a1', 'a2']);
    await assert.rejects(lock.run('c', async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await lock.run('c', async () => 'after'), 'after');
  });
});
