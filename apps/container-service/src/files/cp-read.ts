import type { Readable } from 'node:stream';
import { packDirectory } from '@berth/archive';
import { archivePath, cleanAbsolute, goBase, preserveTrailingDotOrSeparator } from './go-paths';
import { pathStatOf, type PathStatJson } from './path-stat';
import type { PinnedView } from './pinned-view';
import { resolveInRoot, type GraftedMount } from './scoped-path';

/** What GET /containers/{id}/archive sends: the stat header and the tree to pack. */
export interface ArchiveTarget {
  stat: PathStatJson;
  /** Host path of the entry (of a link itself when the path names one without a trailing slash). */
  host: string;
  /** The entry's path in the container, links resolved. */
  containerPath: string;
  isDir: boolean;
  /** dockerd's RebaseName: the base of the path asked for (`.` for `dir/.`, `/` for the root). */
  rebase: string;
}

/** lstat of a container path, its last component not followed, with dockerd's name and link target. */
function statOf(root: string, resolvePath: string, name: string, display: string, mounts?: GraftedMount[], pinned?: PinnedView): ArchiveTarget {
  const r = resolveInRoot(root, resolvePath, { display, mounts, pinned });
  const st = r.stat!;
  let linkTarget = '';
  if (st.isSymbolicLink()) linkTarget = resolveInRoot(root, resolvePath, { followLast: true, lenient: true, display, mounts, pinned }).containerPath;
  return { stat: pathStatOf(name, st, linkTarget), host: r.host, containerPath: r.containerPath, isDir: st.isDirectory(), rebase: name };
}

/** HEAD /containers/{id}/archive: dockerd lstats the path as given (relative to `/`), named by its base. */
export function statForCp(root: string, requested: string, mounts?: GraftedMount[], pinned?: PinnedView): PathStatJson {
  const resolvePath = preserveTrailingDotOrSeparator(cleanAbsolute(requested), requested);
  return statOf(root, resolvePath, goBase(requested), requested, mounts, pinned).stat;
}

/** GET /containers/{id}/archive: the path cleaned as filepath.Join("/", p), a trailing `/` or `/.` kept. */
export function archiveTarget(root: string, requested: string, mounts?: GraftedMount[], pinned?: PinnedView): ArchiveTarget {
  const abs = archivePath(requested);
  return statOf(root, abs, goBase(abs), abs, mounts, pinned);
}

/**
 * The tar dockerd's TarResourceRebaseOpts makes: a directory with its own
 * entry first, everything named below the rebase (absolute names for `/`);
 * anything else as one entry named by the rebase.
 */
export function packTarget(t: ArchiveTarget): Readable {
  return packDirectory(t.host, t.isDir ? { includeRoot: true, rebase: t.rebase } : { rebase: t.rebase });
}
