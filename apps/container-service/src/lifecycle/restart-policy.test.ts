import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextBackoff, shouldRestart, validateRestartPolicy } from './restart-policy';
import { Waiters } from './waiters';

describe('restart policy', () => {
  test('validation as dockerd words it', () => {
    assert.equal(validateRestartPolicy({ Name: 'always' }, false), undefined);
    assert.match(validateRestartPolicy({ Name: 'sometimes' }, false)!, /unknown policy 'sometimes'/);
    assert.match(validateRestartPolicy({ Name: 'always', MaximumRetryCount: 2 }, false)!, /only be used with 'on-failure'/);
    assert.match(validateRestartPolicy({ Name: 'always' }, true)!, /can't create 'AutoRemove' container with restart policy/);
  });

  test('decisions and backoff', () => {
    assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, 1, 1, false, false), true);
    assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, 1, 2, false, false), false);
    assert.equal(shouldRestart({ Name: 'on-failure' }, 0, 0, false, false), false);
    assert.equal(shouldRestart({ Name: 'always' }, 0, 9, false, true), true);
    assert.equal(shouldRestart({ Name: 'always' }, 0, 0, true, false), false, 'stop and kill cancel the restart');
    assert.equal(shouldRestart({ Name: 'unless-stopped' }, 0, 0, false, true), false);
    assert.equal(nextBackoff(0, 0), 100);
    assert.equal(nextBackoff(100, 50), 200);
    assert.equal(nextBackoff(800, 20_000), 100);
    assert.equal(nextBackoff(50_000, 0), 60_000);
  });

  test('waiters wake on stop and removal', async () => {
    const w = new Waiters();
    const stop = w.nextStop('c');
    const removed = w.removal('c');
    w.stopped('c', { statusCode: 3, error: '' });
    assert.equal((await stop).statusCode, 3);
    w.removedNow('c', { statusCode: 4, error: '' });
    assert.equal((await removed).statusCode, 4);
    const ac = new AbortController();
    const cancelled = w.nextStop('d', ac.signal);
    ac.abort();
    await assert.rejects(cancelled, /wait cancelled/);
  });
});
