import * as fs from 'node:fs';
import type { OciMount } from './oci-types';

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

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export function defaultMounts(shmSize: number, privileged: boolean): OciMount[] {
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
