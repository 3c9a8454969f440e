import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { processesOf, startBerth } from '../index';

test('a killed gateway is replaced, and stop() leaves nothing behind', async () => {
  const berth = await startBerth();
  const { root, runRoot } = berth;
  try {
    const before = berth.pids();
    for (const name of ['launcher', 'redis', 'volume', 'image', 'container', 'network', 'gateway'] as const) {
      assert.ok(before[name], `${name} is running`);
    }

    await berth.killService('gateway');
    assert.equal(berth.pids().gateway, undefined);
    const down = await berth.docker(['version', '--format', '{{.Server.APIVersion}}'], { timeoutMs: 30_000 });
    assert.notEqual(down.code, 0, 'no gateway, no answer');
    assert.match(down.stderr, /Cannot connect to the Docker daemon|connect: (no such file|connection refused)/);
    // The launcher carried on: the other services are still the same processes.
    assert.equal(berth.pids().volume, before.volume);

    const pid = await berth.startService('gateway');
    assert.equal(berth.pids().gateway, pid);
    const up = await berth.docker(['version', '--format', '{{.Server.APIVersion}}']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout.trim(), '1.50');
    await assert.rejects(berth.startService('gateway'), /already running/);
  } finally {
    await berth.stop();
  }
  assert.equal(fs.existsSync(root), false, 'temp root removed');
  assert.deepEqual(processesOf(root, runRoot), [], 'no process left');
});
