import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RwLock } from './rw-lock';

const tick = () => new Promise((r) => setTimeout(r, 5));

test('readers share; a writer waits for them and runs alone; readers queued behind a writer wait', async () => {
  const lock = new RwLock();
  const log: string[] = [];
  const reader = (name: string) => lock.shared(async () => { log.push(`${name}+`); await tick(); log.push(`${name}-`); });
  const writer = (name: string) => lock.exclusive(async () => { log.push(`${name}+`); await tick(); log.push(`${name}-`); });
  await Promise.all([reader('r1'), reader('r2'), writer('w'), reader('r3')]);
  assert.deepEqual(log, ['r1+', 'r2+', 'r1-', 'r2-', 'w+', 'w-', 'r3+', 'r3-']);
});

test('a failing holder still lets the next one in', async () => {
  const lock = new RwLock();
  await assert.rejects(lock.exclusive(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await lock.shared(async () => 'ok'), 'ok');
  await assert.rejects(lock.shared(async () => { throw new Error('again'); }), /again/);
  assert.equal(await lock.exclusive(async () => 'ok'), 'ok');
});
