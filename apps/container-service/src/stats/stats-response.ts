import type { BlkioEntry } from './cgroup-text';
import type { InterfaceCounters } from './proc-text';
import { goJson } from './go-json';

/** Go's zero time.Time, which dockerd writes for a read that did not happen. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface CpuSample {
  total: bigint;
  percpu: bigint[];
  kernel: bigint;
  user: bigint;
  periods: bigint;
  throttledPeriods: bigint;
  throttledTime: bigint;
  /** Host CPU time in ns (system_cpu_usage). */
  system: bigint;
  onlineCpus: number;
}

export interface MemorySample {
  usage: bigint;
  maxUsage: bigint;
  failcnt: bigint;
  limit: bigint;
  stats: Map<string, bigint>;
}

/** The blkio lists in dockerd's order; cgroups v1 without CFQ fills only the first two. */
export interface BlkioSample {
  io_service_bytes_recursive: BlkioEntry[];
  io_serviced_recursive: BlkioEntry[];
  io_queue_recursive: BlkioEntry[];
  io_service_time_recursive: BlkioEntry[];
  io_wait_time_recursive: BlkioEntry[];
  io_merged_recursive: BlkioEntry[];
  io_time_recursive: BlkioEntry[];
  sectors_recursive: BlkioEntry[];
}

/** One reading of a running container's cgroups and network namespace. */
export interface StatsSample {
  /** RFC 3339 with nanoseconds. */
  read: string;
  pids?: { current: bigint; limit: bigint };
  blkio?: BlkioSample;
  cpu?: CpuSample;
  memory?: MemorySample;
  /** Absent when the container has no network of its own (none, host, disabled). */
  networks?: Map<string, InterfaceCounters>;
}

/** The sample before this one: what precpu_stats and preread show. */
export interface PreviousSample {
  read: string;
  cpu?: CpuSample;
}

const BLKIO_KEYS: (keyof BlkioSample)[] = [
  'io_service_bytes_recursive', 'io_serviced_recursive', 'io_queue_recursive', 'io_service_time_recursive',
  'io_wait_time_recursive', 'io_merged_recursive', 'io_time_recursive', 'sectors_recursive',
];

/** Go's omitempty for an unsigned number. */
function nz(v: bigint | number | undefined): bigint | number | undefined {
  return v === undefined || v === 0n || v === 0 ? undefined : v;
}

function cpuStats(c: CpuSample | undefined): Record<string, unknown> {
  return {
    cpu_usage: {
      total_usage: c?.total ?? 0n,
      percpu_usage: c && c.percpu.length > 0 ? c.percpu : undefined,
      usage_in_kernelmode: c?.kernel ?? 0n,
      usage_in_usermode: c?.user ?? 0n,
    },
    system_cpu_usage: nz(c?.system),
    online_cpus: nz(c?.onlineCpus),
    throttling_data: { periods: c?.periods ?? 0n, throttled_periods: c?.throttledPeriods ?? 0n, throttled_time: c?.throttledTime ?? 0n },
  };
}

function memoryStats(m: MemorySample | undefined): Record<string, unknown> {
  if (!m) return {};
  // Go encodes map keys sorted.
  const stats = m.stats.size > 0 ? new Map([...m.stats].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : undefined;
  return { usage: nz(m.usage), max_usage: nz(m.maxUsage), stats, failcnt: nz(m.failcnt), limit: nz(m.limit) };
}

function blkioStats(b: BlkioSample | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of BLKIO_KEYS) out[k] = b ? b[k].map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value })) : null;
  return out;
}

function networks(n: Map<string, InterfaceCounters> | undefined): Map<string, InterfaceCounters> | undefined {
  if (!n || n.size === 0) return undefined;
  return new Map([...n].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Docker's StatsJSON (API ≥ 1.21) in the field order dockerd 20.10 encodes
 * it. `sample` undefined is the empty answer for a container that is not
 * running: only name and id, zero times, null blkio lists.
 */
export function statsJson(name: string, id: string, sample: StatsSample | undefined, previous: PreviousSample | undefined): string {
  return goJson({
    read: sample?.read ?? ZERO_TIME,
    preread: previous?.read ?? ZERO_TIME,
    pids_stats: { current: nz(sample?.pids?.current), limit: nz(sample?.pids?.limit) },
    blkio_stats: blkioStats(sample?.blkio),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(sample?.cpu),
    precpu_stats: cpuStats(previous?.cpu),
    memory_stats: memoryStats(sample?.memory),
    name: `/${name}`,
    id,
    networks: networks(sample?.networks),
  });
}
