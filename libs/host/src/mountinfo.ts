import * as fs from 'node:fs';
import * as path from 'node:path';

/** One line of a mountinfo file (proc(5)), the fields Berth looks at. */
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

/** The kernel's escaping of a path in mountinfo: space, tab, newline and backslash in octal. */
export function escapeMountPath(p: string): string {
  return p.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** This process's mount table, as the kernel prints it. */
export function readMountInfo(file = '/proc/self/mountinfo'): string {
  return fs.readFileSync(file, 'utf8');
}

/** Parses a mountinfo text; lines too short to name a mount point are skipped. */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5 || fields[4] === '') continue;
    // Optional fields end at a lone `-`; the file system type follows it.
    const sep = fields.indexOf('-', 6);
    out.push({
      id: Number(fields[0]),
      parentId: Number(fields[1]),
      mountPoint: unescapeMountPath(fields[4]),
      fsType: sep >= 0 ? (fields[sep + 1] ?? '') : '',
    });
  }
  return out;
}

/** Mount points of a mountinfo text (this process's by default), in the kernel's order. */
export function mountPoints(mountinfo: string = readMountInfo()): string[] {
  return parseMountInfo(mountinfo).map((m) => m.mountPoint);
}

/**
 * Whether something is mounted exactly at `p`. mountinfo names mount points
 * by their resolved path, so `p` is made absolute first (symlinks are the
 * caller's business).
 */
export function isMountPoint(p: string, mountinfo: string = readMountInfo()): boolean {
  // Asked on every container start and stop: scan for the escaped path
  // instead of parsing every line into an entry.
  const want = escapeMountPath(path.resolve(p));
  let start = 0;
  while (start < mountinfo.length) {
    let end = mountinfo.indexOf('\n', start);
    if (end < 0) end = mountinfo.length;
    // The mount point is the fifth space-separated field.
    let field = start;
    for (let f = 0; f < 4 && field >= 0; f++) {
      const space = mountinfo.indexOf(' ', field);
      field = space < 0 || space >= end ? -1 : space + 1;
    }
    if (field >= 0) {
      const space = mountinfo.indexOf(' ', field);
      const fieldEnd = space < 0 || space > end ? end : space;
      if (fieldEnd - field === want.length && mountinfo.startsWith(want, field)) return true;
    }
    start = end + 1;
  }
  return false;
}

/** Mount points at or below `root`, deepest first so children go before their parents. */
export function mountsUnder(root: string, mountinfo?: string): string[] {
  const base = root.endsWith('/') && root !== '/' ? root.slice(0, -1) : root;
  const points = mountPoints(mountinfo).filter((p) => p === base || p.startsWith(base === '/' ? '/' : `${base}/`));
  return [...new Set(points)].sort((a, b) => b.split('/').length - a.split('/').length || b.length - a.length);
}
