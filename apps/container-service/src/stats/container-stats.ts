import { RpcError } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerExits } from '../containers/container-exits';
import { rfc3339Nano } from '../containers/container-manager';
import { CgroupDirs, locateCgroups } from './cgroup-locator';
import { sampleCgroups } from './cgroup-sampler';
import { HostCounters } from './host-counters';
import { hasOwnNetwork, readNetworkCounters } from './network-counters';
import { PreviousSample, StatsSample, statsJson } from './stats-response';

/** What stats needs of the container records (ContainerManager fits). */
export interface ContainerLookup {
  resolve(ref: string): { record: ContainerRecord };
}

export interface StatsOptions {
  stream: boolean;
  oneShot: boolean;
}

/** Paused containers keep their processes and cgroups: dockerd counts them as running. */
export function isRunning(record: ContainerRecord): boolean {
  return (record.State.Status === 'running' || record.State.Status === 'paused') && (record.State.Pid ?? 0) > 0;
}

/** dockerd's collector interval. */
const DEFAULT_INTERVAL_MS = 1000;

/**
 * `docker stats`: samples of a container's cgroups, host CPU time and
 * network counters, rendered as dockerd's StatsJSON lines.
 */
export class ContainerStats {
  private readonly intervalMs: number;
  private readonly procRoot: string;
  private readonly host: HostCounters;

  /** `cgroupFallback` locates a container's cgroups when its init process is gone (ContainerPaths.cgroup). */
  constructor(
    private readonly containers: ContainerLookup,
    private readonly exits: ContainerExits,
    private readonly cgroupFallback: (id: string) => CgroupDirs,
    options: { intervalMs?: number; procRoot?: string } = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.procRoot = options.procRoot ?? '/proc';
    this.host = new HostCounters(this.procRoot);
  }

  /** One reading of a running container; undefined when it stopped meanwhile. */
  async sample(record: ContainerRecord): Promise<StatsSample | undefined> {
    const pid = record.State.Pid ?? 0;
    const read = rfc3339Nano();
    const dirs = await locateCgroups(pid, this.cgroupFallback(record.Id), { procRoot: this.procRoot });
    const cg = await sampleCgroups(dirs, await this.host.machineMemory());
    if (!cg) return undefined;
    // Host CPU time right after the container's, so the CLI's CPU % compares like with like.
    const [system, onlineCpus] = await Promise.all([this.host.systemCpuNs(), this.host.onlineCpus()]);
    const lookup = (ref: string): ContainerRecord | undefined => {
      try {
        return this.containers.resolve(ref).record;
      } catch {
        return undefined;
      }
    };
    const networks = hasOwnNetwork(record, lookup) ? await readNetworkCounters(pid, this.procRoot) : undefined;
    return { read, ...cg, cpu: cg.cpu ? { ...cg.cpu, system, onlineCpus } : undefined, networks };
  }

  private async sampleIfRunning(record: ContainerRecord): Promise<StatsSample | undefined> {
    return isRunning(record) ? this.sample(record) : undefined;
  }

  private current(id: string): ContainerRecord | undefined {
    try {
      return this.containers.resolve(id).record;
    } catch {
      return undefined;
    }
  }

  /**
   * StatsJSON lines as dockerd 20.10 writes them. Without `stream`: one
   * line, from two samples an interval apart so precpu_stats is filled
   * (one sample with `oneShot`; the empty answer for a stopped container).
   * With `stream`: a line per interval, empty ones while the container is
   * stopped, until it is removed or `signal` aborts.
   */
  async *lines(ref: string, options: StatsOptions, signal: AbortSignal): AsyncGenerator<string> {
    const first = this.containers.resolve(ref).record;
    if (options.stream && options.oneShot) throw RpcError.invalidArgument('cannot have stream=true and one-shot=true');
    const id = first.Id;
    if (!options.stream) {
      if (!isRunning(first)) {
        yield statsJson(first.Name, id, undefined, undefined);
        return;
      }
      const primer = options.oneShot ? undefined : await this.sample(first);
      if (primer && (await this.pause(id, this.intervalMs, signal)) === 'aborted') return;
      const record = this.current(id) ?? first;
      yield statsJson(record.Name, id, await this.sampleIfRunning(record), primer && { read: primer.read, cpu: primer.cpu });
      return;
    }
    let previous: PreviousSample | undefined;
    while (!signal.aborted) {
      const record = this.current(id);
      if (!record) return;
      const s = await this.sampleIfRunning(record);
      if (signal.aborted) return;
      yield statsJson(record.Name, id, s, previous);
      previous = s && { read: s.read, cpu: s.cpu };
      const woke = await this.pause(id, this.intervalMs, signal);
      if (woke === 'aborted') return;
    }
  }

  /**
   * Waits `ms`, returning early only when the container is removed (a stop
   * notice alone keeps the cadence: the next line is simply empty).
   */
  private async pause(id: string, ms: number, signal: AbortSignal): Promise<'tick' | 'removed' | 'aborted'> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (signal.aborted) return 'aborted';
      const left = deadline - Date.now();
      if (left <= 0) return 'tick';
      const ac = new AbortController();
      const stop = () => ac.abort();
      signal.addEventListener('abort', stop, { once: true });
      const woke = await new Promise<'tick' | 'notice' | 'aborted'>((resolve) => {
        const timer = setTimeout(() => resolve('tick'), left);
        ac.signal.addEventListener('abort', () => { clearTimeout(timer); resolve('aborted'); }, { once: true });
        void this.exits.next(id, ac.signal).then(() => { clearTimeout(timer); resolve('notice'); });
      });
      signal.removeEventListener('abort', stop);
      ac.abort();
      if (woke === 'tick') return 'tick';
      if (woke === 'aborted') return 'aborted';
      if (!this.current(id)) return 'removed';
    }
  }
}
