import * as path from 'node:path';
import type { ArchiveSyscalls } from '@berth/archive';

/** The fs helper's system calls (native/fs-native.c, built into dist/native by scripts/build-native.mjs). */
export interface FsNative extends ArchiveSyscalls {
  /** chroot(2), then chdir("/"). */
  chroot(dir: string): void;
  /** A detached recursive bind mount of a host path (open_tree CLONE), read-only if asked; its fd. */
  openTree(source: string, readOnly: boolean): number;
  /** Attaches a tree from openTree at `destination` (resolved in the process's root). */
  moveMount(fd: number, destination: string): void;
}

let loaded: FsNative | undefined;

/** The addon, loaded once; a missing build is an error worth its own words. */
export function fsNative(): FsNative {
  if (loaded) return loaded;
  const file = path.join(__dirname, '..', 'native', 'fs-native.node');
  try {
    loaded = require(file) as FsNative;
  } catch (err) {
    throw new Error(`cannot load ${file} (built by container-service's build with gcc): ${(err as Error).message}`);
  }
  return loaded;
}
