import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveInRoot } from '../files/scoped-path';

/** dockerd's check of a create request's WorkingDir (before the image is looked at). */
export function workingDirError(workingDir: string | undefined | null): string | undefined {
  if (!workingDir || workingDir.startsWith('/')) return undefined;
  return `the working directory '${workingDir}' is invalid, it needs to be an absolute path`;
}

/**
 * Creates the container's working directory inside its root, as dockerd's
 * SetupWorkingDirectory: the path is cleaned and resolved as the container
 * would resolve it (`..` stops at the root, the image's symlinks are
 * followed against the root), so an image's WORKDIR can never make a
 * directory on the host. Missing directories are made one at a time, each
 * checked to be a real directory before the next is made in it. Berth gives
 * the last one to the container's user (the user can write where it
 * starts), the ones above it stay root's 0755.
 *
 * Runs before the container's first process exists, so nothing inside the
 * container races it.
 */
export function makeWorkingDir(rootfs: string, workingDir: string, owner: { uid: number; gid: number }): void {
  const cleaned = path.posix.normalize(`/${workingDir}`);
  const r = resolveInRoot(rootfs, cleaned, { followLast: true, lenient: true });
  if (r.stat !== null) {
    if (!r.stat.isDirectory()) throw new Error(`Cannot mkdir: ${workingDir} is not a directory`);
    return;
  }
  const parts = r.rel.split('/').filter(Boolean);
  let here = rootfs;
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(here, parts[i]!);
    const before = fs.lstatSync(next, { throwIfNoEntry: false });
    if (before === undefined) {
      fs.mkdirSync(next, { mode: 0o755 });
      if (i === parts.length - 1) fs.lchownSync(next, owner.uid, owner.gid);
    }
    const st = fs.lstatSync(next);
    if (!st.isDirectory()) throw new Error(`Cannot mkdir: ${workingDir} is not a directory`);
    here = next;
  }
}
