import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerthWithBusybox, dockerOk } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);
const health = async (name: string): Promise<Record<string, any>> => JSON.parse(await ok(['inspect', '-f', '{{json .State.Health}}', name]));

async function until(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('healthchecks', () => {
  test('--health-cmd true becomes healthy in ps and inspect, with an event', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['run', '-d', '--name', 'good', '--health-cmd', 'echo ok', '--health-interval', '1s', 'busybox', 'sleep', '1000']);
    assert.match(await ok(['ps', '--filter', 'name=good', '--format', '{{.Status}}']), /\(health: starting\)|\(healthy\)/);
    await until('healthy', async () => /\(healthy\)$/m.test(await ok(['ps', '--filter', 'name=good', '--format', '{{.Status}}'])));
    const h = await health('good');
    assert.equal(h.Status, 'healthy');
    assert.equal(h.FailingStreak, 0);
    assert.ok(h.Log.length >= 1 && h.Log.length <= 5);
    assert.equal(h.Log[0].ExitCode, 0);
    assert.equal(h.Log[0].Output, 'ok\n');
    assert.ok(Date.parse(h.Log[0].End) >= Date.parse(h.Log[0].Start));
    const [c] = JSON.parse(await ok(['inspect', 'good']));
    assert.deepEqual(c.Config.Healthcheck, { Test: ['CMD-SHELL', 'echo ok'], Interval: 1e9 });
    const events = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1),
      '--filter', 'container=good', '--filter', 'event=health_status', '--format', '{{.Action}}']);
    assert.match(events, /^health_status: healthy$/m);
    await until('five log entries', async () => (await health('good')).Log.length === 5, 10_000);
    await ok(['rm', '-f', 'good']);
  });

  test('a failing check turns unhealthy after the retries', async () => {
    await ok(['run', '-d', '--name', 'bad', '--health-cmd', 'echo nope; exit 1', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '1000']);
    await until('unhealthy', async () => /\(unhealthy\)$/m.test(await ok(['ps', '--filter', 'name=bad', '--format', '{{.Status}}'])));
    const h = await health('bad');
    assert.equal(h.Status, 'unhealthy');
    assert.ok(h.FailingStreak >= 2);
    assert.equal(h.Log.at(-1).ExitCode, 1);
    assert.equal(h.Log.at(-1).Output, 'nope\n');
    assert.equal((await ok(['ps', '-q', '--filter', 'health=unhealthy', '--filter', 'name=bad'])).trim().length > 0, true);
    await ok(['rm', '-f', 'bad']);
  });

  test('a probe past its timeout is killed and recorded as -1', async () => {
    await ok(['run', '-d', '--name', 'slow', '--health-cmd', 'sleep 30', '--health-interval', '200ms', '--health-timeout', '300ms', 'busybox', 'sleep', '1000']);
    await until('a timed-out probe', async () => (await health('slow')).Log.length > 0);
    const entry = (await health('slow')).Log[0];
    assert.equal(entry.ExitCode, -1);
    assert.equal(entry.Output, 'Health check exceeded timeout (300ms)');
    assert.ok(Date.parse(entry.End) - Date.parse(entry.Start) < 3000, 'the probe was killed at its timeout');
    await ok(['rm', '-f', 'slow']);
  });

  test('a stopped container keeps its last health; --no-healthcheck and NONE have none', async () => {
    await ok(['run', '-d', '--name', 'stopme', '--health-cmd', 'true', '--health-interval', '200ms', 'busybox', 'sleep', '1000']);
    await until('healthy', async () => (await health('stopme')).Status === 'healthy');
    await ok(['stop', '-t', '0', 'stopme']);
    assert.equal((await health('stopme')).Status, 'unhealthy', 'dockerd marks a stopped monitor unhealthy');
    assert.equal((await ok(['ps', '-a', '--filter', 'name=stopme', '--format', '{{.Status}}'])).includes('health'), false);
    await ok(['rm', 'stopme']);
    await ok(['run', '-d', '--name', 'nohc', '--no-healthcheck', 'busybox', 'sleep', '1000']);
    assert.equal((await ok(['inspect', '-f', '{{json .State.Health}}', 'nohc'])).trim(), 'null');
    await ok(['rm', '-f', 'nohc']);
  });
});
