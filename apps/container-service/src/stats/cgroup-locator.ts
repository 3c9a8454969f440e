import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseProcCgroup } from './cgroup-text';

/** Gives the directory of a container's cgroup under one v1 controller. */
export type CgroupDirs = (controller: string) => string;

/**
 * Where a container's cgroups are. The init process's /proc/<pid>/cgroup is
 * the truth (it also covers --cgroup-parent); `fallback` (the runtime's
 * `/berth/<id>` layout) serves when that process is already gone.
 * `/sys/fs/cgroup/<controller>` resolves joint mounts such as cpu,cpuacct
 * through the symlinks systemd and cgroupfs-mount create.
 */
export async function locateCgroups(pid: number | undefined, fallback: CgroupDirs, options: { procRoot?: string; cgroupRoot?: string } = {}): Promise<CgroupDirs> {
  const procRoot = options.procRoot ?? '/proc';
  const cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
  let paths = new Map<string, string>();
  if (pid && pid > 0) {
    try {
      paths = parseProcCgroup(await fs.readFile(path.join(procRoot, String(pid), 'cgroup'), 'utf8'));
    } catch {
      // the process ended: use the fallback layout
    }
  }
  return (controller) => {
    const rel = paths.get(controller);
    return rel === undefined ? fallback(controller) : path.join(cgroupRoot, controller, rel);
  };
}
