import * as fs from 'node:fs';
import { defaultSeccomp, OciSeccomp } from './seccomp';

/**
 * Builds the runc `config.json` for a container with the defaults dockerd gives
 * it (moby daemon/pkg/oci/defaults.go and daemon/oci_linux.go). Not set yet:
 * AppArmor/SELinux labels, the time namespace (runc 1.1 does not know it),
 * host devices for `--privileged`, user namespaces.
 */

export const OCI_VERSION = '1.0.2-dev';

export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Docker's default capability set (moby daemon/pkg/oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability by number (linux/capability.h); the kernel's cap_last_cap says how many exist. */
const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Capabilities this kernel knows (all of ALL_CAPABILITIES when cap_last_cap cannot be read). */
export function allCapabilities(): string[] {
  try {
    const last = Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    if (Number.isInteger(last) && last >= 0) return ALL_CAPABILITIES.slice(0, last + 1);
  } catch {
    // fall through
  }
  return [...ALL_CAPABILITIES];
}

/**
 * Capabilities this process can hand on: runc fails outright when asked for
 * one outside its own bounding set (CAP_SYS_RESOURCE is missing on these
 * machines), so "all" means all of CapBnd.
 */
export function grantableCapabilities(status: string = readProcStatus()): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  const all = allCapabilities();
  if (!m) return all;
  const bnd = BigInt(`0x${m[1]}`);
  return all.filter((_cap, bit) => (bnd >> BigInt(bit)) & 1n);
}

function readProcStatus(): string {
  try {
    return fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

/** Paths Docker hides from a container (moby daemon/pkg/oci/defaults.go). */
export function defaultMaskedPaths(): string[] {
  const masked = [
    '/proc/acpi',
    '/proc/asound',
    '/proc/interrupts',
    '/proc/kcore',
    '/proc/keys',
    '/proc/latency_stats',
    '/proc/sched_debug',
    '/proc/scsi',
    '/proc/timer_list',
    '/proc/timer_stats',
    '/sys/devices/virtual/powercap',
    '/sys/firmware',
  ];
  for (const cpu of possibleCpus()) {
    const p = `/sys/devices/system/cpu/cpu${cpu}/thermal_throttle`;
    if (fs.existsSync(p)) masked.push(p);
  }
  return masked;
}

export const DEFAULT_READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** `/sys/devices/system/cpu/possible`, e.g. `0-3,8`. */
function possibleCpus(): number[] {
  let text: string;
  try {
    text = fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    for (let i = a; i <= (Number.isInteger(b) ? b : a); i++) out.push(i);
  }
  return out;
}

/** What dockerd's containers get for RLIMIT_NOFILE (inherited from containerd's LimitNOFILE). */
export const DOCKER_NOFILE = 1048576;

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface OciRlimit {
  type: string;
  soft: number;
  hard: number;
}

export interface OciDeviceCgroup {
  allow: boolean;
  type?: 'a' | 'b' | 'c';
  major?: number;
  minor?: number;
  access?: string;
}

export interface OciNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
}

export interface OciResources {
  devices: OciDeviceCgroup[];
  memory?: { limit?: number; swap?: number; reservation?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    consoleSize?: { height: number; width: number };
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    rlimits: OciRlimit[];
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  domainname?: string;
  mounts: OciMount[];
  linux: {
    namespaces: OciNamespace[];
    maskedPaths: string[];
    readonlyPaths: string[];
    devices: unknown[];
    resources: OciResources;
    cgroupsPath: string;
    sysctl?: Record<string, string>;
    seccomp?: OciSeccomp;
  };
}

export interface OciResourcesInput {
  /** Bytes; 0 or absent: unlimited. */
  memory?: number;
  /** Memory plus swap in bytes; -1 unlimited; 0/absent with a memory limit: twice the memory (dockerd's rule). */
  memorySwap?: number;
  memoryReservation?: number;
  cpuShares?: number;
  /** CPUs in units of 1e-9 (`--cpus 1.5` = 1.5e9). */
  nanoCpus?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** > 0 limits; 0, -1 or absent: unlimited. */
  pidsLimit?: number;
  oomKillDisable?: boolean;
}

/** A host device given to the container (`--device`). */
export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface OciSpecInput {
  id: string;
  /** Absolute path of the mounted root filesystem. */
  rootfs: string;
  readonlyRootfs?: boolean;
  args: string[];
  env?: string[];
  cwd?: string;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  hostname?: string;
  domainname?: string;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  /** /dev/shm size in bytes (HostConfig.ShmSize); default 64 MiB. */
  shmSize?: number;
  /** Caller mounts: /etc/hosts, /etc/hostname, /etc/resolv.conf, volumes, binds. */
  mounts?: OciMount[];
  /** 'host' shares the host's network namespace; a path joins one made elsewhere; absent: a new, empty one. */
  network?: 'host' | { path: string };
  /** 'host' shares the host's UTS namespace (no hostname of its own). */
  uts?: 'host';
  resources?: OciResourcesInput;
  /** Docker's HostConfig.Ulimits; each is clamped to the current hard limit. */
  ulimits?: { name: string; soft: number; hard: number }[];
  sysctls?: Record<string, string>;
  oomScoreAdj?: number;
  /** Cgroup parent in cgroupfs form; default `/berth`. */
  cgroupParent?: string;
  /** Docker's default syscall filter unless `unconfined`; never for privileged containers. */
  seccomp?: 'default' | 'unconfined';
  /** Host devices (`--device`) with their cgroup permissions (`rwm`). */
  devices?: { device: OciDevice; permissions: string }[];
  /** Hard limits of this process by rlimit type (tests); default read from /proc/self/limits. */
  hardLimits?: Partial<Record<string, number>>;
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

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

function defaultMounts(shmSize: number, privileged: boolean): OciMount[] {
  const sysRo = privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...sysRo] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...sysRo, 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
}

/** A bind mount as dockerd writes it: `rbind`, private propagation unless told, `ro` when read-only. */
export function bindMount(source: string, destination: string, opts: { readonly?: boolean; propagation?: string } = {}): OciMount {
  const options = ['rbind', opts.propagation ?? 'rprivate'];
  if (opts.readonly) options.push('ro');
  return { destination, type: 'bind', source, options };
}

function normaliseCap(cap: string): string {
  const upper = cap.trim().toUpperCase();
  return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Docker's TweakCapabilities: ALL in CapAdd grants all but CapDrop, ALL in CapDrop keeps only CapAdd. */
export function effectiveCapabilities(input: { capAdd?: string[]; capDrop?: string[]; privileged?: boolean }): string[] {
  if (input.privileged) return grantableCapabilities();
  const add = [...new Set((input.capAdd ?? []).map(normaliseCap))];
  const drop = [...new Set((input.capDrop ?? []).map(normaliseCap))];
  for (const cap of [...add, ...drop]) {
    if (cap !== 'ALL' && !ALL_CAPABILITIES.includes(cap)) throw new Error(`unknown capability: "${cap}"`);
  }
  if (add.includes('ALL')) return grantableCapabilities().filter((c) => !drop.includes(c));
  if (drop.includes('ALL')) return add;
  const caps = DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  for (const c of add) if (!caps.includes(c)) caps.push(c);
  return caps;
}

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

function buildRlimits(input: OciSpecInput): OciRlimit[] {
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

function buildResources(r: OciResourcesInput = {}, privileged: boolean): OciResources {
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

function sysctlExists(name: string): boolean {
  return fs.existsSync('/proc/sys/' + name.replace(/\./g, '/'));
}

function withDaemonEnv(input: OciSpecInput): string[] {
  // dockerd's CreateDaemonEnvironment: PATH when the image has none, HOSTNAME, TERM for a TTY; the container's own values win.
  const env = [...(input.env ?? [])];
  const has = (k: string) => env.some((e) => e.startsWith(k + '='));
  const extra: string[] = [];
  if (!has('PATH')) extra.push(`PATH=${DEFAULT_PATH_ENV}`);
  if (input.hostname && !has('HOSTNAME')) extra.push(`HOSTNAME=${input.hostname}`);
  if (input.terminal && !has('TERM')) extra.push('TERM=xterm');
  return [...extra, ...env];
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

export function buildOciSpec(input: OciSpecInput): OciSpec {
  if (!input.args.length) throw new Error('no command specified');
  const privileged = input.privileged ?? false;
  const caps = effectiveCapabilities(input);

  // A caller mount replaces the default at the same place and anything below it.
  const userMounts = [...(input.mounts ?? [])].sort((a, b) => depth(a.destination) - depth(b.destination));
  const covered = (dest: string) => userMounts.some((m) => dest === m.destination || dest.startsWith(m.destination.replace(/\/$/, '') + '/'));
  const mounts = [...defaultMounts(input.shmSize && input.shmSize > 0 ? input.shmSize : DEFAULT_SHM_SIZE, privileged).filter((m) => !covered(m.destination)), ...userMounts];

  const namespaces: OciNamespace[] = [{ type: 'mount' }];
  if (input.network !== 'host') namespaces.push(input.network ? { type: 'network', path: input.network.path } : { type: 'network' });
  if (input.uts !== 'host') namespaces.push({ type: 'uts' });
  namespaces.push({ type: 'pid' }, { type: 'ipc' });

  const sysctl: Record<string, string> = {};
  if (input.network !== 'host') {
    // dockerd's defaults in a private network namespace: unprivileged ping and low ports.
    if (sysctlExists('net.ipv4.ping_group_range')) sysctl['net.ipv4.ping_group_range'] = '0 2147483647';
    if (sysctlExists('net.ipv4.ip_unprivileged_port_start')) sysctl['net.ipv4.ip_unprivileged_port_start'] = '0';
  }
  Object.assign(sysctl, input.sysctls ?? {});

  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: input.terminal ?? false,
      user: {
        uid: input.user?.uid ?? 0,
        gid: input.user?.gid ?? 0,
        ...(input.user?.additionalGids?.length ? { additionalGids: input.user.additionalGids } : {}),
      },
      args: [...input.args],
      env: withDaemonEnv(input),
      cwd: input.cwd || '/',
      capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps] },
      rlimits: buildRlimits(input),
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs ?? false },
    mounts,
    linux: {
      namespaces,
      maskedPaths: privileged ? [] : defaultMaskedPaths(),
      readonlyPaths: privileged ? [] : [...DEFAULT_READONLY_PATHS],
      // runc creates null, zero, full, random, urandom, tty, console and ptmx itself; these are `--device` ones.
      devices: (input.devices ?? []).map((d) => d.device),
      resources: buildResources(input.resources, privileged),
      cgroupsPath: `${(input.cgroupParent ?? '/berth').replace(/\/$/, '')}/${input.id}`,
    },
  };
  if (!privileged) {
    for (const d of input.devices ?? []) {
      spec.linux.resources.devices.push({ allow: true, type: d.device.type, major: d.device.major, minor: d.device.minor, access: d.permissions || 'rwm' });
    }
  }
  if (input.terminal && input.consoleSize) spec.process.consoleSize = input.consoleSize;
  if (input.oomScoreAdj !== undefined) spec.process.oomScoreAdj = input.oomScoreAdj;
  if (input.uts !== 'host' && input.hostname) spec.hostname = input.hostname;
  if (input.uts !== 'host' && input.domainname) {
    spec.domainname = input.domainname;
    // runc 1.1 ignores the spec's domainname; the UTS namespace's sysctl sets it.
    sysctl['kernel.domainname'] ??= input.domainname;
  }
  if (Object.keys(sysctl).length > 0) spec.linux.sysctl = sysctl;
  if (!privileged && (input.seccomp ?? 'default') === 'default') spec.linux.seccomp = defaultSeccomp(caps);
  return spec;
}
