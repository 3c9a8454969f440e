import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { parseMountInfo, readMountInfo, runCommandSync } from '@berth/host';

import type { container } from '@berth/proto';

function readOsRelease(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line);
        if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
      }
      return out;
    } catch { /* try the next */ }
  }
  return out;
}

function cgroupVersion(): '1' | '2' {
  // A pure v2 host mounts cgroup2 at /sys/fs/cgroup; v1 (even with an empty unified hierarchy) mounts a tmpfs there.
  try {
    return fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1';
  } catch {
    return '1';
  }
}

function runcVersion(): { id: string; version: string } {
  try {
    const out = runCommandSync('runc', ['--version'], { timeoutMs: 2000 }).stdout;
    const version = /runc version (\S+)/.exec(out)?.[1] ?? '';
    const commit = /commit: (\S+)/.exec(out)?.[1] ?? version;
    return { id: commit, version };
  } catch {
    return { id: '', version: '' };
  }
}

function filesystemType(dir: string): string {
  try {
    let best = { mount: '', type: 'unknown' };
    const target = path.resolve(dir);
    for (const { mountPoint: mnt, fsType: type } of parseMountInfo(readMountInfo())) {
      if ((target === mnt || target.startsWith(mnt.endsWith('/') ? mnt : mnt + '/')) && mnt.length >= best.mount.length) best = { mount: mnt, type };
    }
    return best.type === 'ext4' || best.type === 'ext3' || best.type === 'ext2' ? 'extfs' : best.type;
  } catch {
    return 'unknown';
  }
}

/** A stable engine ID kept in the data-root, in dockerd's grouped form. */
function engineId(dataRoot: string): string {
  const file = path.join(dataRoot, 'engine-id');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const id = crypto.randomUUID();
    try {
      fs.mkdirSync(dataRoot, { recursive: true });
      fs.writeFileSync(file, id + '\n', { flag: 'wx' });
      return id;
    } catch {
      try { return fs.readFileSync(file, 'utf8').trim(); } catch { return id; }
    }
  }
}

/** Facts about the container host that do not change while the service runs, read once. */
export function readHostFacts(dataRoot: string): container.HostInfo {
  const osRelease = readOsRelease();
  const runc = runcVersion();
  return {
    engineId: engineId(dataRoot),
    name: os.hostname(),
    ncpu: os.cpus().length,
    memTotal: os.totalmem(),
    kernelVersion: os.release(),
    operatingSystem: osRelease.PRETTY_NAME ?? 'Linux',
    osVersion: osRelease.VERSION_ID ?? '',
    architecture: os.machine(),
    cgroupVersion: cgroupVersion(),
    runcCommit: runc.id,
    runcVersion: runc.version,
    backingFilesystem: filesystemType(dataRoot),
    dataRoot,
  };
}
