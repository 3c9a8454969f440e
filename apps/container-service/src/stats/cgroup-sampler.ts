import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { BlkioEntry, parseBlkio, parseKeyValues, parseSingleValue, parseValueList } from './cgroup-text';
import type { CgroupDirs } from './cgroup-locator';
import { ticksToNs } from './proc-text';
import type { BlkioSample, CpuSample, MemorySample, StatsSample } from './stats-response';

/** The memory.stat keys dockerd reports on cgroups v1 (containerd's MemoryStat fields), each 0 when the kernel lacks it. */
export const MEMORY_STAT_KEYS = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable',
  'hierarchical_memory_limit', 'hierarchical_memsw_limit',
  'total_cache', 'total_rss', 'total_rss_huge', 'total_mapped_file', 'total_dirty', 'total_writeback',
  'total_pgpgin', 'total_pgpgout', 'total_pgfault', 'total_pgmajfault', 'total_inactive_anon', 'total_active_anon',
  'total_inactive_file', 'total_active_file', 'total_unevictable',
] as const;

/** A missing file means the controller (or the whole cgroup) is not there: that part of the sample is left out. */
async function read(dir: string, file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path.join(dir, file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENODEV') return undefined;
    throw err;
  }
}

type CgroupCpu = Omit<CpuSample, 'system' | 'onlineCpus'>;

async function cpu(dirs: CgroupDirs): Promise<CgroupCpu | undefined> {
  const acct = dirs('cpuacct');
  const [usage, percpu, stat, throttle] = await Promise.all([
    read(acct, 'cpuacct.usage'), read(acct, 'cpuacct.usage_percpu'), read(acct, 'cpuacct.stat'), read(dirs('cpu'), 'cpu.stat'),
  ]);
  if (usage === undefined) return undefined;
  const ticks = parseKeyValues(stat ?? '');
  const t = parseKeyValues(throttle ?? '');
  return {
    total: parseSingleValue(usage),
    percpu: percpu === undefined ? [] : parseValueList(percpu),
    kernel: ticksToNs(ticks.get('system') ?? 0n),
    user: ticksToNs(ticks.get('user') ?? 0n),
    periods: t.get('nr_periods') ?? 0n,
    throttledPeriods: t.get('nr_throttled') ?? 0n,
    throttledTime: t.get('throttled_time') ?? 0n,
  };
}

async function memory(dirs: CgroupDirs, machineMemory: bigint): Promise<MemorySample | undefined> {
  const dir = dirs('memory');
  const [stat, usage, maxUsage, failcnt, limit] = await Promise.all([
    read(dir, 'memory.stat'), read(dir, 'memory.usage_in_bytes'), read(dir, 'memory.max_usage_in_bytes'),
    read(dir, 'memory.failcnt'), read(dir, 'memory.limit_in_bytes'),
  ]);
  if (stat === undefined) return undefined;
  const raw = parseKeyValues(stat);
  const stats = new Map<string, bigint>(MEMORY_STAT_KEYS.map((k) => [k, raw.get(k) ?? 0n]));
  let lim = limit === undefined ? 0n : parseSingleValue(limit);
  // Without a limit the kernel reports a huge number; dockerd shows the machine's memory.
  if (lim > machineMemory && machineMemory > 0n) lim = machineMemory;
  return {
    usage: usage === undefined ? 0n : parseSingleValue(usage),
    maxUsage: maxUsage === undefined ? 0n : parseSingleValue(maxUsage),
    failcnt: failcnt === undefined ? 0n : parseSingleValue(failcnt),
    limit: lim,
    stats,
  };
}

async function pids(dirs: CgroupDirs): Promise<{ current: bigint; limit: bigint } | undefined> {
  const dir = dirs('pids');
  const [current, max] = await Promise.all([read(dir, 'pids.current'), read(dir, 'pids.max')]);
  if (current === undefined) return undefined;
  return { current: parseSingleValue(current), limit: max === undefined ? 0n : parseSingleValue(max) };
}

/** containerd's reading of blkio: the CFQ files when the kernel has them and they hold anything, else the throttle.* ones. */
async function blkio(dirs: CgroupDirs): Promise<BlkioSample | undefined> {
  const dir = dirs('blkio');
  const entries = async (file: string): Promise<BlkioEntry[]> => parseBlkio((await read(dir, `blkio.${file}`)) ?? '');
  const out: BlkioSample = {
    io_service_bytes_recursive: [], io_serviced_recursive: [], io_queue_recursive: [], io_service_time_recursive: [],
    io_wait_time_recursive: [], io_merged_recursive: [], io_time_recursive: [], sectors_recursive: [],
  };
  if ((await read(dir, 'blkio.io_serviced_recursive')) !== undefined) {
    const [sectors, bytes, serviced, queued, serviceTime, waitTime, merged, time] = await Promise.all([
      entries('sectors_recursive'), entries('io_service_bytes_recursive'), entries('io_serviced_recursive'), entries('io_queued_recursive'),
      entries('io_service_time_recursive'), entries('io_wait_time_recursive'), entries('io_merged_recursive'), entries('time_recursive'),
    ]);
    Object.assign(out, {
      sectors_recursive: sectors, io_service_bytes_recursive: bytes, io_serviced_recursive: serviced, io_queue_recursive: queued,
      io_service_time_recursive: serviceTime, io_wait_time_recursive: waitTime, io_merged_recursive: merged, io_time_recursive: time,
    });
    if (Object.values(out).some((l: BlkioEntry[]) => l.length > 0)) return out;
  }
  const [serviced, bytes] = await Promise.all([read(dir, 'blkio.throttle.io_serviced'), read(dir, 'blkio.throttle.io_service_bytes')]);
  if (serviced === undefined && bytes === undefined) return undefined;
  out.io_serviced_recursive = parseBlkio(serviced ?? '');
  out.io_service_bytes_recursive = parseBlkio(bytes ?? '');
  return out;
}

export type CgroupSample = Pick<StatsSample, 'pids' | 'blkio' | 'memory'> & { cpu?: CgroupCpu };

/**
 * Reads one container's cgroup v1 counters. Undefined when no controller
 * could be read: the cgroup is gone, the container is no longer running.
 */
export async function sampleCgroups(dirs: CgroupDirs, machineMemory: bigint): Promise<CgroupSample | undefined> {
  const [c, m, p, b] = await Promise.all([cpu(dirs), memory(dirs, machineMemory), pids(dirs), blkio(dirs)]);
  if (!c && !m && !p && !b) return undefined;
  return { cpu: c, memory: m, pids: p, blkio: b };
}
