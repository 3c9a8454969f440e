import * as path from 'node:path';
import type { ContainerRecord } from '../containers/container-record';
import { bindMount, OciMount, OciSpecInput } from '../runtime/oci-spec';
import type { ResolvedUser } from '../runtime/users';
import { hostDevice } from '../runtime/devices';
import { parseSecurityOpt } from '../runtime/security-opt';

/** Where dockerd mounts its init (`--init`), and the static tini that works in any image. */
export const INIT_PATH = '/sbin/docker-init';
export const INIT_BINARY = '/usr/bin/tini-static';

/** A volume or bind resolved to a host path for this start. */
export interface ResolvedMount {
  type: 'bind' | 'volume' | 'tmpfs';
  source: string;
  destination: string;
  readOnly: boolean;
  propagation: string;
  tmpfsOptions: string[];
}

export interface SpecContext {
  rootfs: string;
  user: ResolvedUser;
  mounts: ResolvedMount[];
  /** Path of the network namespace to join; absent: `hostNetwork`, or else a new empty one. */
  netnsPath?: string;
  hostNetwork: boolean;
  hostsPath: string;
  hostnamePath: string;
  resolvConfPath: string;
  initBinary?: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function envHas(env: string[], key: string): boolean {
  return env.some((e) => e === key || e.startsWith(`${key}=`));
}

function securityOf(securityOpt: string[] | null | undefined): Pick<OciSpecInput, 'seccompProfile' | 'noNewPrivileges' | 'writableCgroups'> {
  const { seccompProfile, noNewPrivileges, writableCgroups } = parseSecurityOpt(securityOpt);
  return { seccompProfile, noNewPrivileges, writableCgroups };
}

/** A container's Docker config and host config as runc's spec input. */
export function specInputFor(record: ContainerRecord, ctx: SpecContext): OciSpecInput {
  const hc = record.HostConfig;
  const cfg = record.Config;
  const init = hc.Init === true;
  const args = [record.Path, ...record.Args];
  const env = [...(cfg.Env ?? [])];
  if (!envHas(env, 'HOME')) env.push(`HOME=${ctx.user.home || '/'}`);

  const readonlyRootfs = hc.ReadonlyRootfs === true;
  const mounts: OciMount[] = [];
  for (const [source, destination] of [
    [ctx.resolvConfPath, '/etc/resolv.conf'],
    [ctx.hostnamePath, '/etc/hostname'],
    [ctx.hostsPath, '/etc/hosts'],
  ] as const) {
    mounts.push(bindMount(source, destination, { readonly: readonlyRootfs }));
  }
  for (const m of ctx.mounts) {
    if (m.type === 'tmpfs') {
      const opts = ['noexec', 'nosuid', 'nodev', ...m.tmpfsOptions];
      if (m.readOnly) opts.push('ro');
      mounts.push({ destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: opts });
    } else {
      mounts.push(bindMount(m.source, m.destination, { readonly: m.readOnly, propagation: m.propagation || 'rprivate' }));
    }
  }
  if (init) mounts.push(bindMount(ctx.initBinary ?? INIT_BINARY, INIT_PATH, { readonly: true }));

  const ulimits = Array.isArray(hc.Ulimits)
    ? (hc.Ulimits as { Name: string; Soft: number; Hard: number }[]).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard }))
    : undefined;
  const consoleSize = Array.isArray(hc.ConsoleSize) && hc.ConsoleSize.length === 2 && Number(hc.ConsoleSize[0]) > 0
    ? { height: Number(hc.ConsoleSize[0]), width: Number(hc.ConsoleSize[1]) }
    : undefined;

  return {
    id: record.Id,
    rootfs: ctx.rootfs,
    readonlyRootfs,
    args: init ? [INIT_PATH, '--', ...args] : args,
    env,
    // Cleaned as dockerd's SetupWorkingDirectory leaves it (runc resolves it inside the root either way).
    cwd: cfg.WorkingDir ? path.posix.normalize(`/${cfg.WorkingDir}`) : '/',
    user: { uid: ctx.user.uid, gid: ctx.user.gid, additionalGids: ctx.user.additionalGids },
    terminal: cfg.Tty === true,
    consoleSize,
    hostname: cfg.Hostname,
    domainname: cfg.Domainname || undefined,
    capAdd: (hc.CapAdd as string[] | null) ?? undefined,
    capDrop: (hc.CapDrop as string[] | null) ?? undefined,
    privileged: hc.Privileged === true,
    shmSize: num(hc.ShmSize),
    mounts,
    network: ctx.hostNetwork ? 'host' : ctx.netnsPath ? { path: ctx.netnsPath } : undefined,
    uts: hc.UTSMode === 'host' ? 'host' : undefined,
    resources: {
      memory: num(hc.Memory),
      memorySwap: num(hc.MemorySwap),
      memoryReservation: num(hc.MemoryReservation),
      cpuShares: num(hc.CpuShares),
      nanoCpus: num(hc.NanoCpus),
      cpuQuota: num(hc.CpuQuota),
      cpuPeriod: num(hc.CpuPeriod),
      cpusetCpus: (hc.CpusetCpus as string | undefined) || undefined,
      cpusetMems: (hc.CpusetMems as string | undefined) || undefined,
      pidsLimit: num(hc.PidsLimit),
      oomKillDisable: hc.OomKillDisable === true,
    },
    devices: Array.isArray(hc.Devices)
      ? (hc.Devices as { PathOnHost: string; PathInContainer?: string; CgroupPermissions?: string }[]).map((d) => ({
          device: hostDevice(d.PathOnHost, d.PathInContainer || d.PathOnHost),
          permissions: d.CgroupPermissions || 'rwm',
        }))
      : undefined,
    ulimits,
    ...securityOf(hc.SecurityOpt as string[] | null | undefined),
    sysctls: (hc.Sysctls as Record<string, string> | null) ?? undefined,
    oomScoreAdj: num(hc.OomScoreAdj) || undefined,
  };
}
