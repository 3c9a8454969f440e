import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPONENTS, loadLauncherOptions, parseComponents } from './options';

test('all components by default, in start order', () => {
  assert.deepEqual(parseComponents(undefined), [...COMPONENTS]);
  assert.deepEqual(parseComponents(''), ['volume', 'image', 'container', 'network', 'gateway']);
});

test('a subset keeps the canonical order', () => {
  assert.deepEqual(parseComponents('gateway, volume'), ['volume', 'gateway']);
});

test('an unknown service is refused', () => {
  assert.throws(() => parseComponents('volume,builder'), /unknown service "builder"/);
});

test('launcher options come from BERTH_LAUNCHER_*', () => {
  const o = loadLauncherOptions({
    BERTH_LAUNCHER_KEEP_GOING: '1',
    BERTH_LAUNCHER_EXIT_WITH_STDIN: 'true',
    BERTH_LAUNCHER_START_TIMEOUT: '2.5',
    BERTH_LAUNCHER_REDIS_SERVER: '/opt/redis-server',
  });
  assert.equal(o.keepGoing, true);
  assert.equal(o.exitWithStdin, true);
  assert.equal(o.startTimeoutMs, 2500);
  assert.equal(o.stopTimeoutMs, 15000);
  assert.equal(o.redisBinary, '/opt/redis-server');
  assert.equal(loadLauncherOptions({}).keepGoing, false);
  assert.throws(() => loadLauncherOptions({ BERTH_LAUNCHER_STOP_TIMEOUT: '-1' }), /positive number/);
});
