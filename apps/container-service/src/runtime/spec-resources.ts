import * as fs from 'node:fs';
import type { OciDeviceCgroup, OciResources, OciResourcesInput, OciRlimit, OciSpecInput } from './oci-types';

/** What dockerd's containers get for RLIMIT_NOFILE (inherited from containerd's LimitNOFILE). */
export const DOCKER_NOFILE = 1048576;

const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/**
 * Hard limits of this process from /proc/self/limits (Infinity for "unlimited").
 * Without CAP_SYS_RESOURCE runc cannot raise a hard limit, so nothing we ask for may exceed these.
 */
export function currentHardLimits(text: string = fs.readFileSync('/proc/self/limits', 'utf8')): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const type = LIMIT_NAMES[m[1].trim()];
    if (!type) continue;
    out[type] = m[3] === 'unlimited' ? Infinity : Number(m[3]);
  }
  return out;
}

export function buildRlimits(input: OciSpecInput): OciRlimit[] {
  const hard = { ...currentHardLimits(), ...input.hardLimits };
  const clamp = (type: string, v: number) => {
    const h = hard[type];
    return h === undefined || !Number.isFinite(h) ? v : Math.min(v, h);
  };
  const wanted = new Map<string, { soft: number; hard: number }>();
  wanted.set('RLIMIT_NOFILE', { soft: DOCKER_NOFILE, hard: DOCKER_NOFILE });
  for (const u of input.ulimits ?? []) wanted.set(`RLIMIT_${u.name.toUpperCase()}`, { soft: u.soft, hard: u.hard });
  return [...wanted].map(([type, l]) => {
    const h = clamp(type, l.hard);
    return { type, soft: Math.min(clamp(type, l.soft), h), hard: h };
  });
}

/** The device cgroup rules of moby's default spec: deny all, allow the standard nodes, deny fuse. */
export function defaultDeviceCgroupRules(): OciDeviceCgroup[] {
  const c = (major: number, minor: number): OciDeviceCgroup => ({ allow: true, type: 'c', major, minor, access: 'rwm' });
  return [
    { allow: false, access: 'rwm' },
    c(1, 5), // /dev/zero
    c(1, 3), // /dev/null
    c(1, 9), // /dev/urandom
    c(1, 8), // /dev/random
    c(5, 0), // /dev/tty
    c(5, 1), // /dev/console
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse
  ];
}

export function buildResources(r: OciResourcesInput = {}, privileged: boolean): OciResources {
  const resources: OciResources = {
    devices: privileged ? [{ allow: true, access: 'rwm' }] : defaultDeviceCgroupRules(),
  };
  const memory: NonNullable<OciResources['memory']> = {};
  if (r.memory && r.memory > 0) {
    memory.limit = r.memory;
    if (r.memorySwap === -1) memory.swap = -1;
    else if (r.memorySwap && r.memorySwap > 0) memory.swap = r.memorySwap;
    else memory.swap = r.memory * 2;
  }
  if (r.memoryReservation && r.memoryReservation > 0) memory.reservation = r.memoryReservation;
  if (r.oomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) resources.memory = memory;

  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.nanoCpus && r.nanoCpus > 0) {
    if (r.cpuQuota || r.cpuPeriod) throw new Error('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    // dockerd: a 100ms period and the quota scaled from NanoCPUs
    cpu.period = 100000;
    cpu.quota = Math.floor((r.nanoCpus * cpu.period) / 1e9);
  } else {
    if (r.cpuQuota && r.cpuQuota !== 0) cpu.quota = r.cpuQuota;
    if (r.cpuPeriod && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  }
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length > 0) resources.cpu = cpu;

  if (r.pidsLimit && r.pidsLimit > 0) resources.pids = { limit: r.pidsLimit };
  return resources;
}
