import type { BigIntStats } from 'node:fs';
import { constants as fsc } from 'node:fs';

/** What X-Docker-Container-Path-Stat carries, in the JSON field names dockerd uses. */
export interface PathStatJson {
  name: string;
  size: number;
  /** Go's os.FileMode bits. */
  mode: number;
  /** RFC 3339 with nanoseconds, as Go marshals a time.Time. */
  mtime: string;
  linkTarget: string;
}

// Go's os.FileMode type and permission-modifier bits (io/fs).
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_NAMED_PIPE = 2 ** 25;
const MODE_SOCKET = 2 ** 24;
const MODE_SETUID = 2 ** 23;
const MODE_SETGID = 2 ** 22;
const MODE_CHAR_DEVICE = 2 ** 21;
const MODE_STICKY = 2 ** 20;

// Node's fs.constants lacks these three.
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

/** A unix st_mode as Go's os.FileMode (what os.Lstat reports on Linux). */
export function goFileMode(unixMode: number): number {
  let mode = unixMode & 0o777;
  switch (unixMode & fsc.S_IFMT) {
    case fsc.S_IFBLK: mode += MODE_DEVICE; break;
    case fsc.S_IFCHR: mode += MODE_DEVICE + MODE_CHAR_DEVICE; break;
    case fsc.S_IFDIR: mode += MODE_DIR; break;
    case fsc.S_IFIFO: mode += MODE_NAMED_PIPE; break;
    case fsc.S_IFLNK: mode += MODE_SYMLINK; break;
    case fsc.S_IFSOCK: mode += MODE_SOCKET; break;
    default: break;
  }
  if (unixMode & S_ISGID) mode += MODE_SETGID;
  if (unixMode & S_ISUID) mode += MODE_SETUID;
  if (unixMode & S_ISVTX) mode += MODE_STICKY;
  return mode;
}

/** Go's time.Time JSON (RFC3339Nano, UTC here): fractional seconds without trailing zeros. */
export function goTimeJson(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const digits = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${iso}${digits}Z`;
}

export function pathStatOf(name: string, st: BigIntStats, linkTarget = ''): PathStatJson {
  return { name, size: Number(st.size), mode: goFileMode(Number(st.mode)), mtime: goTimeJson(st.mtimeNs), linkTarget };
}

