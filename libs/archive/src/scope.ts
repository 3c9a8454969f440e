import * as fs from 'node:fs';
import * as path from 'node:path';

import { UnsafeArchiveError } from './errors';

/**
 * How a symlink met among the PARENT components of an entry's path is treated
 * (the entry's own last component is never followed: it is replaced).
 *
 * - `refuse` (default): followed only while it stays inside the target,
 *   resolved as the host kernel would (relative to the link's directory, an
 *   absolute target as a host path). `bin -> usr/bin` then `bin/sh` writes
 *   `usr/bin/sh`; `link -> /` or `link -> ../..` then `link/x` is refused with
 *   UnsafeArchiveError. Image layers never need more: a tar written from a
 *   real tree never has entries below a symlink.
 * - `chroot`: resolved as if the target were `/`, as a process inside the
 *   container sees it (absolute targets start at the target, `..` stops
 *   there). Nothing can leave the target, so nothing is refused. For
 *   `docker cp` into a container's tree, where `/var/run -> /run` is normal.
 */
export type SymlinkPolicy = 'refuse' | 'chroot';

const MAX_SYMLINK_HOPS = 40;

/**
 * Cleans an archive entry name the way dockerd does: leading `/` stripped (an
 * absolute name is relative to the target), `.` and `..` folded. Returns `.`
 * for the target itself; throws when the name climbs out of the target.
 */
export function cleanEntryName(name: string): string {
  const cleaned = path.posix.normalize(name.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (cleaned === '' || cleaned === '.' || cleaned === './') return '.';
  if (cleaned === '..' || cleaned.startsWith('../')) {
    throw new UnsafeArchiveError(name, 'path escapes the target directory');
  }
  return cleaned;
}

/** Whether a relative path (slash-separated, cleaned) is one of, or below, a set of paths. */
export function isWithin(child: string, parent: string): boolean {
  return parent === '.' || child === parent || child.startsWith(`${parent}/`);
}

// Synchronous: short syscalls on the extraction hot path (see extract.ts).
function lstatOrNull(p: string): fs.Stats | null {
  return fs.lstatSync(p, { throwIfNoEntry: false }) ?? null;
}

export interface ResolveOptions {
  /** Create missing directories on the way (mode 0755, owner given). */
  create?: { uid: number; gid: number; chown: boolean };
}

/**
 * Confines paths to a root directory. Every component is checked with lstat
 * as it is walked, symlinks are expanded component by component under the
 * chosen policy, and the result is a path below the root made only of real
 * directories. Nothing here follows a symlink through the kernel.
 *
 * It does not defend against someone else swapping components while we walk
 * (a running container writing its own tree): callers extracting into a live
 * tree accept that race, as dockerd's resolve-then-operate does.
 */
export class Scope {
  /**
   * Directories already walked, by the path asked for, with what they
   * resolved to. Only we write below the root while extracting, so an entry
   * stays valid until we remove or replace something at or above it.
   */
  private readonly resolved = new Map<string, string>();

  constructor(readonly root: string, readonly policy: SymlinkPolicy) {}

  /** Forget cached resolutions: call before removing or replacing `rel`. */
  invalidate(rel: string): void {
    if (this.resolved.size === 0) return;
    for (const [key, value] of this.resolved) {
      if (isWithin(key, rel) || isWithin(value, rel)) this.resolved.delete(key);
    }
  }

  /** The absolute host path of a resolved relative path. */
  abs(rel: string): string {
    return rel === '.' ? this.root : path.join(this.root, rel);
  }

  /**
   * Resolves a directory path (relative, cleaned) to the relative path of the
   * real directory it names. Missing components are created with
   * `opts.create`, or make the result undefined without it.
   */
  async resolveDir(rel: string, entry: string, opts: ResolveOptions = {}): Promise<string | undefined> {
    if (rel === '.') return '.';
    const cached = this.resolved.get(rel);
    if (cached !== undefined) return cached;
    const result = await this.walk(rel, entry, opts);
    if (result !== undefined) this.resolved.set(rel, result);
    return result;
  }

  private async walk(rel: string, entry: string, opts: ResolveOptions): Promise<string | undefined> {
    const queue = rel.split('/');
    const stack: string[] = [];
    let hops = 0;
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (stack.length === 0) {
          if (this.policy === 'chroot') continue;
          throw new UnsafeArchiveError(entry, 'a symlink on its path leads outside the target directory');
        }
        stack.pop();
        continue;
      }
      const here = path.join(this.root, ...stack, c);
      const st = lstatOrNull(here);
      if (st === null) {
        if (!opts.create) return undefined;
        fs.mkdirSync(here, 0o755);
        if (opts.create.chown) fs.lchownSync(here, opts.create.uid, opts.create.gid);
        fs.chmodSync(here, 0o755);
        stack.push(c);
        continue;
      }
      if (st.isDirectory()) {
        stack.push(c);
        continue;
      }
      if (!st.isSymbolicLink()) {
        throw Object.assign(new Error(`cannot extract ${JSON.stringify(entry)}: ${[...stack, c].join('/')} is not a directory`), { code: 'ENOTDIR' });
      }
      if (++hops > MAX_SYMLINK_HOPS) {
        throw Object.assign(new Error(`cannot extract ${JSON.stringify(entry)}: too many levels of symbolic links`), { code: 'ELOOP' });
      }
      const target = fs.readlinkSync(here);
      let parts = target.split('/');
      if (target.startsWith('/')) {
        if (this.policy === 'chroot') {
          stack.length = 0;
        } else {
          const inside = path.relative(this.root, path.resolve(target));
          if (inside === '..' || inside.startsWith('../') || path.isAbsolute(inside)) {
            throw new UnsafeArchiveError(entry, `symlink ${[...stack, c].join('/')} -> ${target} leads outside the target directory`);
          }
          stack.length = 0;
          parts = inside === '' ? [] : inside.split('/');
        }
      }
      queue.unshift(...parts);
    }
    return stack.length === 0 ? '.' : stack.join('/');
  }

  /**
   * Resolves the parent of a cleaned entry path and returns the relative path
   * at which the entry itself goes (its last component not followed).
   */
  async resolveEntry(rel: string, entry: string, opts: ResolveOptions = {}): Promise<string | undefined> {
    const slash = rel.lastIndexOf('/');
    const base = slash < 0 ? rel : rel.slice(slash + 1);
    const parent = await this.resolveDir(slash < 0 ? '.' : rel.slice(0, slash), entry, opts);
    if (parent === undefined) return undefined;
    return parent === '.' ? base : `${parent}/${base}`;
  }

  /**
   * Whether `rel` still names, through real directories only, what it named
   * when it was created: deferred work (directory times, xattrs) must not be
   * redirected by a symlink that a later entry put on its path.
   */
  async stillReal(rel: string): Promise<import('node:fs').Stats | null> {
    const parts = rel === '.' ? [] : rel.split('/');
    let here = this.root;
    for (let i = 0; i < parts.length; i++) {
      here = path.join(here, parts[i]!);
      const st = lstatOrNull(here);
      if (st === null) return null;
      if (i < parts.length - 1 && !st.isDirectory()) return null;
      if (i === parts.length - 1) return st;
    }
    return lstatOrNull(this.root);
  }
}
