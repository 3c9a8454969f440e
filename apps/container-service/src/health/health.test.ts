import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EventInput } from '@berth/events';
import { createLogger } from '@berth/logging';
import type { ContainerRecord } from '../containers/container-record';
import { ContainerStore } from '../containers/container-store';
import type { ProbeResult } from './exec-probe-runner';
import { HealthMonitor, ProbeRunner } from './health-monitor';
import { applyProbeResult, healthTiming, nextDelay, probeCommand, startingHealth } from './health-state';

const entry = (code: number, n = 0) => ({ Start: `s${n}`, End: `e${n}`, ExitCode: code, Output: `o${n}` });

describe('health state machine', () => {
  const ctx = { retries: 3, startPeriodMs: 0, startedAtMs: 0, probeStartMs: 1000 };

  test('defaults, and nanoseconds to milliseconds', () => {
    assert.deepEqual(healthTiming({ Test: ['CMD', 'true'] }), { intervalMs: 30000, timeoutMs: 30000, startPeriodMs: 0, startIntervalMs: 5000, retries: 3 });
    assert.deepEqual(healthTiming({ Interval: 1e9, Timeout: 5e8, StartPeriod: 2e9, StartInterval: 1e8, Retries: 5 }),
      { intervalMs: 1000, timeoutMs: 500, startPeriodMs: 2000, startIntervalMs: 100, retries: 5 });
  });

  test('probe commands: CMD, CMD-SHELL with the container shell, NONE', () => {
    assert.deepEqual(probeCommand({ Test: ['CMD', 'curl', '-f', 'x'] }, null), ['curl', '-f', 'x']);
    assert.deepEqual(probeCommand({ Test: ['CMD-SHELL', 'exit 1'] }, null), ['/bin/sh', '-c', 'exit 1']);
    assert.deepEqual(probeCommand({ Test: ['CMD-SHELL', 'exit 1'] }, ['/bin/bash', '-ec']), ['/bin/bash', '-ec', 'exit 1']);
    assert.equal(probeCommand({ Test: ['NONE'] }, null), undefined);
    assert.equal(probeCommand({ Test: [] }, null), undefined);
    assert.equal(probeCommand(null, null), undefined);
    assert.equal(probeCommand({ Test: ['WHAT', 'x'] }, null), undefined);
    assert.deepEqual(probeCommand({ Test: ['CMD'] }, null), []);
  });

  test('success makes healthy; retries failures in a row make unhealthy', () => {
    let h = startingHealth(undefined);
    h = applyProbeResult(h, entry(1), ctx);
    assert.deepEqual([h.Status, h.FailingStreak], ['starting', 1]);
    h = applyProbeResult(h, entry(0), ctx);
    assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
    h = applyProbeResult(h, entry(1), ctx);
    h = applyProbeResult(h, entry(2), ctx);
    assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 2]);
    h = applyProbeResult(h, entry(-1), ctx);
    assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 3]);
    h = applyProbeResult(h, entry(0), ctx);
    assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
  });

  test('failures in the start period do not count while starting', () => {
    const inPeriod = { ...ctx, startPeriodMs: 5000, probeStartMs: 4000 };
    let h = applyProbeResult(startingHealth(undefined), entry(1), inPeriod);
    assert.deepEqual([h.Status, h.FailingStreak], ['starting', 0]);
    h = applyProbeResult(h, entry(1), { ...inPeriod, probeStartMs: 6000 });
    assert.deepEqual([h.Status, h.FailingStreak], ['starting', 1]);
    const healthy = applyProbeResult(applyProbeResult(startingHealth(undefined), entry(0), inPeriod), entry(1), inPeriod);
    assert.deepEqual([healthy.Status, healthy.FailingStreak], ['healthy', 1], 'once healthy, the start period no longer shields');
  });

  test('the log keeps the last five results; a restart keeps the log', () => {
    let h = startingHealth(undefined);
    for (let i = 0; i < 7; i++) h = applyProbeResult(h, entry(0, i), ctx);
    assert.deepEqual(h.Log.map((l) => l.Output), ['o2', 'o3', 'o4', 'o5', 'o6']);
    const again = startingHealth({ ...h, FailingStreak: 4, Status: 'unhealthy' });
    assert.deepEqual([again.Status, again.FailingStreak, again.Log.length], ['starting', 0, 5]);
  });

  test('start interval only while starting within the start period', () => {
    const t = { intervalMs: 1000, timeoutMs: 1, startPeriodMs: 10000, startIntervalMs: 100, retries: 3 };
    assert.equal(nextDelay(t, 'starting', 500), 100);
    assert.equal(nextDelay(t, 'healthy', 500), 1000);
    assert.equal(nextDelay(t, 'starting', 10000), 1000);
  });
});

describe('HealthMonitor', () => {
  let root: string;
  let store: ContainerStore;
  const events: EventInput[] = [];
  let results: ProbeResult[] = [];
  const calls: { id: string; cmd: string[]; timeoutMs: number }[] = [];
  let hang = false;
  const runner: ProbeRunner = {
    runProbe: async (id, cmd, timeoutMs, signal) => {
      calls.push({ id, cmd, timeoutMs });
      if (hang) {
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
        return { exitCode: -1, output: 'killed' };
      }
      return results.shift() ?? { exitCode: 0, output: 'ok' };
    },
  };
  let monitor: HealthMonitor;

  function record(id: string, healthcheck: Record<string, unknown> | undefined): ContainerRecord {
    const r: ContainerRecord = {
      Id: id, Name: `n-${id}`, Created: new Date().toISOString(), Path: 'sleep', Args: [], ImageName: 'busybox', Image: 'sha256:0',
      Config: { Healthcheck: healthcheck, Labels: { l: 'v' } }, HostConfig: {}, NetworkingConfig: {}, Platform: 'linux',
      State: { Status: 'running', StartedAt: new Date().toISOString() },
    };
    assert.equal(store.insert(r).ok, true);
    return r;
  }

  const health = (id: string) => store.get(id)!.record.State.Health;

  async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-health-'));
    store = new ContainerStore(path.join(root, 'metadata.db'));
    monitor = new HealthMonitor(store, runner, { publish: async (e) => events.push(e) }, createLogger('test', 'error'));
  });

  after(() => {
    monitor.stopAll();
    store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('starting, then healthy with an event, the log filled', async () => {
    const r = record('a1', { Test: ['CMD-SHELL', 'true'], Interval: 20e6, Timeout: 3e9 });
    monitor.start(r);
    assert.deepEqual(health('a1'), { Status: 'starting', FailingStreak: 0, Log: [] });
    await until(() => health('a1')!.Status === 'healthy');
    assert.deepEqual(calls[0], { id: 'a1', cmd: ['/bin/sh', '-c', 'true'], timeoutMs: 3000 });
    const log = health('a1')!.Log[0];
    assert.equal(log.ExitCode, 0);
    assert.equal(log.Output, 'ok');
    assert.match(log.Start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(Date.parse(log.End) >= Date.parse(log.Start));
    const ev = events.filter((e) => e.Actor.ID === 'a1');
    assert.deepEqual(ev.map((e) => e.Action), ['health_status: healthy']);
    assert.equal(ev[0].Actor.Attributes.name, 'n-a1');
    await until(() => health('a1')!.Log.length === 5);
    assert.equal(events.filter((e) => e.Actor.ID === 'a1').length, 1, 'no event while the status holds');
    monitor.stop('a1');
    assert.equal(health('a1')!.Status, 'unhealthy', 'a stopped monitor leaves unhealthy, as dockerd');
    assert.equal(monitor.running('a1'), false);
  });

  test('failures past the retries make it unhealthy; no healthcheck, no monitor', async () => {
    results = [{ exitCode: 1, output: 'bad' }, { exitCode: 1, output: 'bad' }];
    const r = record('b1', { Test: ['CMD', 'false'], Interval: 10e6, Retries: 2 });
    monitor.start(r);
    await until(() => health('b1')!.Status === 'unhealthy');
    assert.equal(health('b1')!.FailingStreak, 2);
    assert.ok(events.some((e) => e.Actor.ID === 'b1' && e.Action === 'health_status: unhealthy'));
    monitor.stop('b1');

    monitor.start(record('c1', undefined));
    monitor.start(record('c2', { Test: ['NONE'] }));
    assert.equal(monitor.running('c1') || monitor.running('c2'), false);
    assert.equal(health('c1'), undefined);
  });

  test('stop kills a probe in flight and drops its result', async () => {
    hang = true;
    const r = record('d1', { Test: ['CMD', 'sleep', '100'], Interval: 10e6 });
    monitor.start(r);
    await until(() => calls.some((c) => c.id === 'd1'));
    monitor.stop('d1');
    await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(health('d1')!.Log, []);
    hang = false;
  });

  test('paused: unhealthy without probes; probing again once it runs', async () => {
    const r = record('p1', { Test: ['CMD', 'true'], Interval: 10e6 });
    monitor.start(r);
    await until(() => health('p1')!.Status === 'healthy');
    store.update('p1', (x) => ({ ...x, State: { ...x.State, Status: 'paused' } }));
    await until(() => health('p1')!.Status === 'unhealthy');
    const n = calls.filter((c) => c.id === 'p1').length;
    await new Promise((res) => setTimeout(res, 60));
    assert.ok(calls.filter((c) => c.id === 'p1').length <= n + 1, 'no probes while paused');
    store.update('p1', (x) => ({ ...x, State: { ...x.State, Status: 'running' } }));
    await until(() => health('p1')!.Status === 'healthy');
    assert.equal(monitor.running('p1'), true);
    monitor.stop('p1');
  });

  test('a container no longer running stops its monitor', async () => {
    const r = record('e1', { Test: ['CMD', 'true'], Interval: 30e6 });
    monitor.start(r);
    store.update('e1', (x) => ({ ...x, State: { ...x.State, Status: 'exited' } }));
    await until(() => !monitor.running('e1'));
    assert.equal(health('e1')!.Status, 'unhealthy');
  });
});
