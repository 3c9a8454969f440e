import type { Stats } from 'node:fs';
import { constants as fsc } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';

import { getXattrsRecursive, splitDevice } from './system';
import { END_OF_ARCHIVE, type TarEntryHeader, blockPadding, encodeTarHeader } from './tar-writer';
import { OVERLAY_OPAQUE_XATTR, WHITEOUT_OPAQUE_DIR, WHITEOUT_PREFIX } from './whiteouts';

export interface PackOptions {
  /** Prefix for every name (`etc` gives `etc/`, `etc/passwd`...). Default none. */
  prefix?: string;
  /**
   * The same as `prefix` (dockerd's RebaseName); `prefix` wins when both are
   * given. `/` is dockerd's rebase of a container's root for `docker cp
   * c:/`: names become absolute (`/` for the root, `/etc/passwd`...).
   */
  rebase?: string;
  /** Emit an entry for `dir` itself: named `rebase/`, or `./` without rebase. Default false. */
  includeRoot?: boolean;
  /**
   * `docker`: the tree is an overlayfs upper dir; 0:0 character devices become
   * `.wh.<name>` files and `trusted.overlay.opaque=y` directories get a
   * `.wh..wh..opq` entry, the layer form of both. Default `none`.
   */
  whiteouts?: 'none' | 'docker';
  /** Which xattrs to carry as PAX records. Default `capability` (security.capability only, as dockerd). */
  xattrs?: 'capability' | 'all' | 'none';
  /** Maps host owners to archive owners (the reverse of a user-namespace remap). */
  mapOwner?: (uid: number, gid: number) => { uid: number; gid: number };
  /** Return false to leave a path (relative to `dir`, `.` for the root) and everything below it out. */
  filter?: (rel: string, stats: Stats) => boolean;
  onWarning?: (message: string) => void;
}

const READ_CHUNK = 256 * 1024;

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function xattrPattern(opts: PackOptions): string | undefined {
  const names: string[] = [];
  if (opts.xattrs === 'all') return '-';
  if ((opts.xattrs ?? 'capability') === 'capability') names.push('security\\.capability');
  if (opts.whiteouts === 'docker') names.push('trusted\\.overlay\\.opaque');
  return names.length === 0 ? undefined : `^(${names.join('|')})$`;
}

async function* fileData(abs: string, size: number): AsyncGenerator<Buffer> {
  const fh = await fs.open(abs, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  try {
    let remaining = size;
    while (remaining > 0) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, remaining));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw new Error(`${abs}: file shrank while being archived`);
      remaining -= bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
  yield blockPadding(size);
}

/**
 * A tar stream of a directory tree (or of a single file), for `docker save`,
 * `export`, `cp` and layer diffs: regular files, directories, symlinks, hard
 * links (by inode: later names become link entries), devices and FIFOs, with
 * modes, owners, whole-second mtimes and PAX xattrs. Entries come in byte
 * order of their names, depth first, so the same tree gives the same bytes.
 * Sockets are left out, as dockerd does.
 */
export function packDirectory(dir: string, opts: PackOptions = {}): Readable {
  return Readable.from(generate(dir, opts), { objectMode: false, highWaterMark: READ_CHUNK });
}

async function* generate(dir: string, opts: PackOptions): AsyncGenerator<Buffer> {
  const absolute = opts.prefix === undefined && opts.rebase !== undefined && /^\/+$/.test(opts.rebase);
  const rebase = (opts.prefix ?? opts.rebase ?? '').replace(/^\/+|\/+$/g, '');
  const docker = opts.whiteouts === 'docker';
  const rootStats = await fs.lstat(dir);
  const absRoot = path.resolve(dir);
  const pattern = xattrPattern(opts);
  let xattrs = new Map<string, Map<string, Buffer>>();
  if (pattern !== undefined) {
    // Keys must match the absolute paths the walk builds.
    const got = await getXattrsRecursive(absRoot, pattern);
    if (got === null) {
      if (docker) throw new Error('cannot find opaque directories: getfattr not found (install Debian package attr)');
      opts.onWarning?.('xattrs not archived: getfattr not found (install Debian package attr)');
    } else {
      xattrs = got;
    }
  }
  const links = new Map<string, string>();

  const archiveName = (rel: string): string => {
    if (absolute) return rel === '.' ? '' : `/${rel}`;
    if (rel === '.') return rebase === '' ? '.' : rebase;
    return rebase === '' ? rel : `${rebase}/${rel}`;
  };

  async function* entry(abs: string, name: string, st: Stats): AsyncGenerator<Buffer> {
    if (st.isSocket()) return;
    const owner = opts.mapOwner ? opts.mapOwner(st.uid, st.gid) : { uid: st.uid, gid: st.gid };
    const mtime = Math.floor(st.mtimeMs / 1000);
    const attrs = new Map<string, Buffer>();
    for (const [k, v] of xattrs.get(abs) ?? []) if (!k.startsWith('trusted.overlay.')) attrs.set(k, v);
    const base: Omit<TarEntryHeader, 'name' | 'type' | 'size'> = {
      mode: st.mode & 0o7777, uid: owner.uid, gid: owner.gid, mtime,
      ...(attrs.size > 0 ? { xattrs: attrs } : {}),
    };

    if (docker && st.isCharacterDevice() && st.rdev === 0) {
      const slash = name.lastIndexOf('/');
      const whiteout = `${name.slice(0, slash + 1)}${WHITEOUT_PREFIX}${name.slice(slash + 1)}`;
      yield encodeTarHeader({ name: whiteout, type: 'file', size: 0, mode: 0o600, uid: owner.uid, gid: owner.gid, mtime });
      return;
    }
    if (st.isDirectory()) {
      // The root is `./`, or `/` with absolute names (named '' then).
      yield encodeTarHeader({ ...base, name: name === '.' ? './' : `${name}/`, type: 'directory', size: 0 });
      const opaque = xattrs.get(abs)?.get(OVERLAY_OPAQUE_XATTR);
      if (docker && opaque?.toString() === 'y') {
        const marker = name === '.' ? WHITEOUT_OPAQUE_DIR : `${name}/${WHITEOUT_OPAQUE_DIR}`;
        yield encodeTarHeader({ name: marker, type: 'file', size: 0, mode: st.mode & 0o777, uid: owner.uid, gid: owner.gid, mtime });
      }
      return;
    }
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        yield encodeTarHeader({ ...base, name, type: 'link', size: 0, linkname: first });
        return;
      }
      links.set(key, name);
    }
    if (st.isFile()) {
      yield encodeTarHeader({ ...base, name, type: 'file', size: st.size });
      yield* fileData(abs, st.size);
    } else if (st.isSymbolicLink()) {
      yield encodeTarHeader({ ...base, name, type: 'symlink', size: 0, linkname: await fs.readlink(abs) });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const { major, minor } = splitDevice(st.rdev);
      const type = st.isCharacterDevice() ? 'character-device' : 'block-device';
      yield encodeTarHeader({ ...base, name, type, size: 0, devmajor: major, devminor: minor });
    } else if (st.isFIFO()) {
      yield encodeTarHeader({ ...base, name, type: 'fifo', size: 0 });
    }
  }

  async function* walk(abs: string, rel: string): AsyncGenerator<Buffer> {
    const names = (await fs.readdir(abs)).sort(byteOrder);
    for (const n of names) {
      const childAbs = path.join(abs, n);
      const childRel = rel === '.' ? n : `${rel}/${n}`;
      let st: Stats;
      try {
        st = await fs.lstat(childAbs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while we walk
        throw err;
      }
      if (opts.filter && !opts.filter(childRel, st)) continue;
      yield* entry(childAbs, archiveName(childRel), st);
      if (st.isDirectory()) yield* walk(childAbs, childRel);
    }
  }

  if (!rootStats.isDirectory()) {
    // A single file (docker cp of a file): named by rebase, or by its own name.
    yield* entry(absRoot, rebase === '' ? path.basename(absRoot) : rebase, rootStats);
  } else {
    if (opts.includeRoot && (!opts.filter || opts.filter('.', rootStats))) yield* entry(absRoot, archiveName('.'), rootStats);
    yield* walk(absRoot, '.');
  }
  yield END_OF_ARCHIVE;
}
