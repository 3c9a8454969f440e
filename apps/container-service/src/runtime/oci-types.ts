import type { OciSeccomp } from './seccomp-profile';

// The parts of runc's config.json that Berth writes, and what a caller gives to build one.

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
  /** HostConfig.SecurityOpt's seccomp: '' or `builtin` Docker's default, `unconfined` none, else a profile's JSON. */
  seccompProfile?: string;
  /** `--security-opt no-new-privileges`: execve cannot gain privileges (setuid, file capabilities). */
  noNewPrivileges?: boolean;
  /** `--security-opt writable-cgroups`: the cgroup mount read-write; unset, it is so only for privileged containers. */
  writableCgroups?: boolean;
  /** Host devices (`--device`) with their cgroup permissions (`rwm`). */
  devices?: { device: OciDevice; permissions: string }[];
  /** Hard limits of this process by rlimit type (tests); default read from /proc/self/limits. */
  hardLimits?: Partial<Record<string, number>>;
}
