import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface MountEntry {
  id: number;
  parentId: number;
  mountPoint: string;
  fsType: string;
}

/** `\040` and friends: mountinfo escapes space, tab, newline and backslash in octal. */
export function unescapeMountPath(raw: string): string {
  return raw.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/<pid>/mountinfo (see proc(5)). */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    out.push({
      id: Number(fields[0]),
      parentId: Number(fields[1]),
      mountPoint: unescapeMountPath(fields[4]),
      fsType: sep >= 0 ? fields[sep + 1] : '',
    });
  }
  return out;
}

function isUnder(root: string, p: string): boolean {
  const base = root.endsWith('/') ? root.slice(0, -1) : root;
  return p === base || p.startsWith(base + '/');
}

/** Mount points at or below `root`, deepest first so children go before parents. */
export function mountsUnder(root: string, mountinfo: string = fs.readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const points = parseMountInfo(mountinfo).map((m) => m.mountPoint).filter((p) => isUnder(root, p));
  return [...new Set(points)].sort((a, b) => b.split('/').length - a.split('/').length || b.length - a.length);
}

/**
 * Unmounts everything left below `root` (overlays, bind-mounted network
 * namespaces...). Mounts can be stacked on one point, so it repeats until
 * nothing is left; a busy mount is detached lazily. Returns what stayed.
 */
export function unmountUnder(root: string): string[] {
  for (let round = 0; round < 10; round++) {
    const points = mountsUnder(root);
    if (points.length === 0) return [];
    for (const p of points) {
      const r = spawnSync('umount', [p], { stdio: 'ignore' });
      if (r.status !== 0) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
    }
  }
  return mountsUnder(root);
}
