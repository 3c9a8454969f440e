/**
 * Builds the runc `config.json` for a container with the defaults dockerd gives
 * it (moby daemon/pkg/oci/defaults.go and daemon/oci_linux.go). Not set yet:
 * AppArmor/SELinux labels, the time namespace (runc 1.1 does not know it),
 * host devices for `--privileged`, user namespaces.
 */

import * as fs from 'node:fs';
import { effectiveCapabilities } from './capabilities';
import { seccompFor } from './seccomp';
import { DEFAULT_READONLY_PATHS, DEFAULT_SHM_SIZE, defaultMaskedPaths, defaultMounts } from './spec-mounts';
import { buildResources, buildRlimits } from './spec-resources';
import type { OciNamespace, OciSpec, OciSpecInput } from './oci-types';

export * from './oci-types';
export { allCapabilities, DEFAULT_CAPABILITIES, effectiveCapabilities, grantableCapabilities } from './capabilities';
export { bindMount, DEFAULT_READONLY_PATHS, DEFAULT_SHM_SIZE, defaultMaskedPaths } from './spec-mounts';
export { currentHardLimits, defaultDeviceCgroupRules, DOCKER_NOFILE } from './spec-resources';

export const OCI_VERSION = '1.0.2-dev';

export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

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

  if (input.writableCgroups !== undefined) {
    // dockerd: the cgroup mount is writable when asked, whatever --privileged would have made it
    for (const m of mounts) {
      if (m.type !== 'cgroup') continue;
      m.options = (m.options ?? []).filter((o) => o !== 'ro' && o !== 'rw');
      if (!input.writableCgroups) m.options.unshift('ro');
    }
  }

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
      noNewPrivileges: input.noNewPrivileges ?? false,
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
  const seccomp = seccompFor(input.seccompProfile ?? '', privileged, caps);
  if (seccomp) spec.linux.seccomp = seccomp;
  return spec;
}
