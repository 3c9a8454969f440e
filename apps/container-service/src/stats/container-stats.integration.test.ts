import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RpcError } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import { ContainerExits } from '../containers/container-exits';
import { CgroupSandbox } from './cgroup-sandbox';
import { locateCgroups } from './cgroup-locator';
import { sampleCgroups, MEMORY_STAT_KEYS } from './cgroup-sampler';
import { ContainerStats } from './container-stats';
import { HostCounters } from './host-counters';

const MIB = 1024 * 1024;
const ID = 'a'.repeat(64);

/** A fake record store holding one container that stands for the sandboxed process. */
class Records {
  readonly byId = new Map<string, ContainerRecord>();
  resolve(ref: string): { record: ContainerRecord } {
    const r = this.byId.get(ref) ?? [...this.byId.values()].find((x) => x.Name === ref);
    if (!r) throw RpcError.notFound(`No such container: ${ref}`);
    return { record: r };
  }
}

function record(pid: number, networkMode = 'bridge'): ContainerRecord {
  return {
    Id: ID, Name: 'c1', Created: '', Path: 'sleep', Args: [], ImageName: 'busybox', Image: 'sha256:x',
    Config: {}, HostConfig: { NetworkMode: networkMode }, NetworkingConfig: {}, Platform: 'linux',
    State: { Status: 'running', Pid: pid },
  };
}

const sandbox = new CgroupSandbox();
let pid: number;
const fallback = (id: string) => (controller: string) => path.join('/sys/fs/cgroup', controller, 'berth', id);

before(async () => {
  // its own network namespace with a veth pair (eth0, peer0), as a container has its eth0
  pid = await sandbox.start(['unshare', '-n', 'sh', '-c', 'ip link add eth0 type veth peer name peer0 && exec sleep 300'], { memory: 64 * MIB, pids: 10 }, 'sleep');
});

after(async () => {
  await sandbox.remove();
});

test('the sandboxed process is found in its cgroups through /proc/<pid>/cgroup', async () => {
  const dirs = await locateCgroups(pid, fallback(ID));
  assert.equal(dirs('memory'), sandbox.dir('memory'));
  assert.equal(dirs('pids'), sandbox.dir('pids'));
  const gone = await locateCgroups(99999999, fallback(ID));
  assert.equal(gone('memory'), `/sys/fs/cgroup/memory/berth/${ID}`, 'a dead pid falls back to the runtime layout');
});

test('cgroup sample: memory usage and limit, pids, cpu, blkio', async () => {
  const s = await sampleCgroups(await locateCgroups(pid, fallback(ID)), await new HostCounters().machineMemory());
  assert.ok(s);
  assert.ok(s.memory!.usage > 0n, 'memory usage');
  assert.equal(s.memory!.limit, BigInt(64 * MIB));
  assert.deepEqual([...s.memory!.stats.keys()], [...MEMORY_STAT_KEYS]);
  assert.equal(s.memory!.stats.get('hierarchical_memory_limit'), BigInt(64 * MIB));
  assert.equal(s.pids!.current, 1n);
  assert.equal(s.pids!.limit, 10n);
  assert.ok(s.cpu!.total > 0n, 'the process ran a little');
  assert.ok(s.cpu!.percpu.length >= 1);
  assert.deepEqual(s.blkio!.io_queue_recursive, []);
  assert.equal(await sampleCgroups(() => '/nonexistent', 1n), undefined, 'no cgroup: no sample');
});

test('a container without a memory limit reports the machine\'s memory', async () => {
  const other = new CgroupSandbox();
  try {
    const p = await other.start(['sleep', '300']);
    const host = new HostCounters();
    const s = await sampleCgroups(await locateCgroups(p, fallback('x')), await host.machineMemory());
    assert.equal(s!.memory!.limit, await host.machineMemory());
    assert.equal(s!.pids!.limit, 0n, 'pids.max "max" reads as no limit');
  } finally {
    await other.remove();
  }
});

test('stats: one-shot, the primed single answer, networks, and the host network left out', async () => {
  const records = new Records();
  records.byId.set(ID, record(pid));
  const stats = new ContainerStats(records, new ContainerExits(), fallback, { intervalMs: 200 });
  const collect = async (ref: string, stream: boolean, oneShot: boolean) => {
    const out: Record<string, any>[] = [];
    for await (const line of stats.lines(ref, { stream, oneShot }, new AbortController().signal)) out.push(JSON.parse(line));
    return out;
  };

  const [one] = await collect('c1', false, true);
  assert.equal(one.name, '/c1');
  assert.equal(one.id, ID);
  assert.equal(one.preread, '0001-01-01T00:00:00Z');
  assert.equal(one.precpu_stats.system_cpu_usage, undefined);
  assert.match(one.read, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  assert.equal(one.memory_stats.limit, 64 * MIB);
  assert.ok(one.memory_stats.usage > 0);
  assert.equal(one.pids_stats.current, 1);
  assert.ok(one.cpu_stats.system_cpu_usage > 0);
  assert.ok(one.cpu_stats.online_cpus >= 1);
  assert.deepEqual(Object.keys(one.networks), ['eth0', 'peer0']);
  assert.equal(one.networks.eth0.rx_errors, 0);
  assert.equal(one.num_procs, 0);

  const started = Date.now();
  const primed = await collect(ID, false, false);
  assert.equal(primed.length, 1);
  assert.ok(Date.now() - started >= 190, 'two samples an interval apart');
  assert.ok(primed[0].precpu_stats.system_cpu_usage > 0);
  assert.ok(primed[0].cpu_stats.system_cpu_usage >= primed[0].precpu_stats.system_cpu_usage);
  assert.ok(Date.parse(primed[0].preread) < Date.parse(primed[0].read));

  records.byId.set(ID, record(pid, 'host'));
  const [host] = await collect(ID, false, true);
  assert.equal('networks' in host, false, 'the host network is not the container\'s');

  await assert.rejects(collect('nope', false, false), /No such container: nope/);
  await assert.rejects(collect(ID, true, true), /cannot have stream=true and one-shot=true/);
});

/** Polls until `cond` holds (these tests share the machine with others: no fixed sleeps). */
async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('stats stream: a line per interval, empty lines once stopped, the end at removal', async () => {
  const records = new Records();
  records.byId.set(ID, record(pid));
  const exits = new ContainerExits();
  const stats = new ContainerStats(records, exits, fallback, { intervalMs: 100 });
  const lines: Record<string, any>[] = [];
  let ended = false;
  const ac = new AbortController();
  const consumer = (async () => {
    for await (const line of stats.lines(ID, { stream: true, oneShot: false }, ac.signal)) lines.push(JSON.parse(line));
    ended = true;
  })();
  try {
    await until(() => lines.length >= 3, 'three lines');
    assert.equal(lines[0].preread, '0001-01-01T00:00:00Z');
    assert.equal(lines[1].preread, lines[0].read, 'each line carries the one before');
    assert.deepEqual(lines[1].precpu_stats, lines[0].cpu_stats);

    // stopped: empty lines keep coming (dockerd 20.10 keeps the stream open)
    const r = record(pid);
    r.State = { Status: 'exited', ExitCode: 0 };
    records.byId.set(ID, r);
    exits.notify(ID);
    const at = lines.length;
    await until(() => lines.length >= at + 3, 'empty lines');
    assert.equal(ended, false);
    // the line being sampled when the state changed may still be a full one
    const firstEmpty = lines.findIndex((l, i) => i >= at && l.read === '0001-01-01T00:00:00Z');
    assert.ok(firstEmpty > 0);
    assert.equal(lines[firstEmpty].preread, lines[firstEmpty - 1].read, 'the first empty line still carries the last sample');
    assert.deepEqual(lines[firstEmpty + 1].memory_stats, {});
    assert.equal(lines[firstEmpty + 1].preread, '0001-01-01T00:00:00Z');

    // removed: the stream ends without waiting out the interval
    const slow = new ContainerStats(records, exits, fallback, { intervalMs: 60_000 });
    const slowLines: string[] = [];
    const slowConsumer = (async () => {
      for await (const line of slow.lines(ID, { stream: true, oneShot: false }, ac.signal)) slowLines.push(line);
    })();
    await until(() => slowLines.length >= 1, 'the first line of the slow stream');
    await new Promise((r2) => setTimeout(r2, 20));
    records.byId.delete(ID);
    exits.notify(ID);
    await slowConsumer;
    await consumer;
    assert.equal(ended, true);
  } finally {
    ac.abort();
    await consumer;
  }
});

test('stats stream ends when the caller aborts; a stopped container answers the empty sample', async () => {
  const records = new Records();
  records.byId.set(ID, record(pid));
  const stats = new ContainerStats(records, new ContainerExits(), fallback, { intervalMs: 5000 });
  const ac = new AbortController();
  const got: string[] = [];
  const consumer = (async () => {
    for await (const line of stats.lines(ID, { stream: true, oneShot: false }, ac.signal)) got.push(line);
  })();
  await until(() => got.length >= 1, 'the first line');
  ac.abort();
  await consumer;
  assert.equal(got.length, 1, 'nothing after the abort');

  const r = record(pid);
  r.State = { Status: 'created' };
  records.byId.set(ID, r);
  const out: string[] = [];
  for await (const line of stats.lines(ID, { stream: false, oneShot: false }, new AbortController().signal)) out.push(line);
  assert.equal(out.length, 1);
  const empty = JSON.parse(out[0]);
  assert.equal(empty.read, '0001-01-01T00:00:00Z');
  assert.equal(empty.blkio_stats.io_service_bytes_recursive, null);
});
