import * as fs from 'node:fs';
import * as path from 'node:path';

/** The kernel's limit on symlinks met while resolving one path (ELOOP beyond). */
const MAX_SYMLINK_HOPS = 40;

/** Go's wording of the errno values a path lookup can meet (strerror, lower case). */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EBUSY: 'device or resource busy',
  EROFS: 'read-only file system',
  EEXIST: 'file exists',
  EISDIR: 'is a directory',
  ENOTEMPTY: 'directory not empty',
  ENOSPC: 'no space left on device',
  EXDEV: 'invalid cross-device link',
  EINVAL: 'invalid argument',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  EDQUOT: 'disk quota exceeded',
  EMLINK: 'too many links',
};

export function errnoText(code: string | undefined): string {
  return (code && ERRNO_TEXT[code]) ?? (code ? code.toLowerCase() : 'unknown error');
}

/** A failed lookup of a container path: `op path: text`, as Go's *PathError prints. */
export class ScopedPathError extends Error {
  constructor(readonly code: 'ENOENT' | 'ENOTDIR' | 'ELOOP', readonly op: string, readonly where: string) {
    super(`${op} ${where}: ${errnoText(code)}`);
    this.name = 'ScopedPathError';
  }
}

/** A directory or file of the host that shows at `components` in the container (a volume, a bind). */
export interface GraftedMount {
  components: string[];
  source: string;
}

export interface ScopedResolution {
  /** The real path below the root ('' for the root itself), made of real directories and the final entry. */
  rel: string;
  /** Where that is on the host: below the root, or below a mount's source. */
  host: string;
  /** The same as the container sees it: `/` + rel. */
  containerPath: string;
  /** lstat of the final entry (of the link itself when it was not followed); null when missing (lenient). */
  stat: fs.BigIntStats | null;
}

export interface ResolveOptions {
  /** Follow a symlink in the last component too (EvalSymlinks); a trailing `/` or `/.` always does. */
  followLast?: boolean;
  /** Accept missing components and keep going lexically (FollowSymlinkInScope); else ENOENT. */
  lenient?: boolean;
  /** The path to name in errors (default: the one given). */
  display?: string;
  /** Mounts to see through, for a caller outside the helper's mount namespace. */
  mounts?: GraftedMount[];
  /**
   * Look every entry up through descriptors of its directory (PinnedView)
   * instead of by host path: for a tree a running container changes.
   */
  pinned?: { at(parts: string[]): string | null };
}

/** The host path of container path components, through the deepest mount that holds them. */
export function hostPathOf(root: string, parts: string[], mounts: GraftedMount[] = []): string {
  let best: GraftedMount | undefined;
  for (const m of mounts) {
    if (m.components.length > parts.length || (best && best.components.length >= m.components.length)) continue;
    if (m.components.every((c, i) => parts[i] === c)) best = m;
  }
  if (!best) return parts.length === 0 ? root : path.join(root, ...parts);
  const rest = parts.slice(best.components.length);
  return rest.length === 0 ? best.source : path.join(best.source, ...rest);
}

function lstat(p: string): fs.BigIntStats | null {
  return fs.lstatSync(p, { bigint: true, throwIfNoEntry: false }) ?? null;
}

/**
 * Resolves a container path inside `root` as a process chrooted there would:
 * every component is lstat'ed in turn, symlinks are expanded against the
 * root (an absolute target starts again at the root, `..` stops at it), so
 * the result never leaves the root, however the links are made. Nothing is
 * followed by the kernel except real directories.
 *
 * Like dockerd before it pinned the tree, this does not stop the container
 * itself from swapping a directory for a symlink between this walk and the
 * use of its result.
 */
export function resolveInRoot(root: string, containerPath: string, opts: ResolveOptions = {}): ScopedResolution {
  const display = opts.display ?? containerPath;
  const trailing = /\/\.?$/.test(containerPath) && containerPath !== '/';
  const followLast = opts.followLast === true || trailing;
  const queue = containerPath.split('/');
  const stack: string[] = [];
  const pinned = opts.pinned;
  // null: a directory on the way is no longer one (a racing container swapped it): nothing there.
  const at = (parts: string[]): string | null => (pinned ? pinned.at(parts) : hostPathOf(root, parts, opts.mounts));
  const lstatAt = (parts: string[]): fs.BigIntStats | null => {
    const p = at(parts);
    return p === null ? null : lstat(p);
  };
  let final: fs.BigIntStats | null = lstatAt([]);
  /** Where the first missing component sits in `stack`, or -1: below it, names are taken as they come. */
  let missingAt = -1;
  let hops = 0;
  const isLast = (): boolean => queue.every((c) => c === '' || c === '.');

  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      stack.pop();
      if (stack.length <= missingAt) missingAt = -1;
      final = missingAt >= 0 ? null : lstatAt(stack);
      continue;
    }
    if (missingAt >= 0) {
      stack.push(c);
      continue;
    }
    const here = at([...stack, c]);
    const st = here === null ? null : lstat(here);
    if (st === null) {
      if (!opts.lenient) throw new ScopedPathError('ENOENT', 'lstat', display);
      missingAt = stack.length;
      final = null;
      stack.push(c);
      continue;
    }
    const last = isLast();
    if (st.isSymbolicLink() && (!last || followLast)) {
      if (++hops > MAX_SYMLINK_HOPS) throw new ScopedPathError('ELOOP', 'lstat', display);
      const target = fs.readlinkSync(here!);
      if (target.startsWith('/')) stack.length = 0;
      queue.unshift(...target.split('/'));
      if (target.startsWith('/') || stack.length === 0) final = lstatAt([]);
      continue;
    }
    if (!last && !st.isDirectory()) throw new ScopedPathError('ENOTDIR', 'lstat', display);
    stack.push(c);
    final = st;
  }
  if (trailing && final !== null && !final.isDirectory()) throw new ScopedPathError('ENOTDIR', 'lstat', display);
  const rel = stack.join('/');
  return { rel, host: at(stack) ?? '', containerPath: `/${rel}`, stat: missingAt >= 0 ? null : final };
}
