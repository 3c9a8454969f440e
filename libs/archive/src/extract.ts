import { randomBytes } from 'node:crypto';
import * as fsSync from 'node:fs';
import { constants as fsc } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { type Readable, pipeline } from 'node:stream';
import { tarExtractSink } from './tar-sink';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import * as tar from 'tar-stream';

import { type Compression, openMaybeCompressed, toReadable } from './compression';
import { InvalidArchiveError, UnsafeArchiveError } from './errors';
import { HashingStream } from './hash';
import { PAX_XATTR_PREFIX, PaxScanner, type PaxRecords } from './pax';
import { Scope, type SymlinkPolicy, cleanEntryName, isWithin } from './scope';
import { isTransportableXattrName, mknod, setXattrStrict, setXattrs } from './system';
import { OVERLAY_OPAQUE_XATTR, WHITEOUT_META_PREFIX, WHITEOUT_OPAQUE_DIR, WHITEOUT_PREFIX, type WhiteoutMode } from './whiteouts';

export interface ExtractOptions {
  /** `.wh.` entries: converted for overlayfs (default), applied onto the tree, or kept as files. */
  whiteouts?: WhiteoutMode;
  /** Symlinks among an entry's parent directories. Default `refuse`; see SymlinkPolicy. */
  symlinks?: SymlinkPolicy;
  /** Sniff gzip/bzip2/xz/zstd and decompress. Default true; uncompressed input passes through. */
  decompress?: boolean;
  /** lchown entries to their tar uid/gid. Default: when running as root. */
  chown?: boolean;
  /** Maps archive owners to host owners (user-namespace remapping). */
  mapOwner?: (uid: number, gid: number) => { uid: number; gid: number };
  /** Apply PAX `SCHILY.xattr.*` records. Default true; failures become warnings. */
  xattrs?: boolean;
  /** docker cp: refuse to replace a directory by a non-directory and the reverse. */
  noOverwriteDirNonDir?: boolean;
  /**
   * docker cp into a container: the directory that symlinks resolve against
   * (with `symlinks: 'chroot'`, the container's `/`) and that nothing is
   * written outside of. `targetDir` must be a real directory inside it;
   * entry names are still relative to `targetDir`. Default: `targetDir`.
   */
  root?: string;
  /** Called for each warning as it happens; they are also returned. */
  onWarning?: (message: string) => void;
}

export interface ExtractResult {
  /** Bytes of regular file data, as dockerd counts a layer's size. */
  size: number;
  /** sha256 of the uncompressed tar stream: the layer's diffID. */
  diffId: string;
  /** sha256 of the input as given: the blob digest (equal to diffId when uncompressed). */
  compressedDigest: string;
  compression: Compression;
  /** What was skipped: device nodes without privilege, xattrs the filesystem refused... */
  warnings: string[];
}

interface DirMeta { mode: number; atime: number; mtime: number }

type TarHeader = tar.Header;
/** tar-stream's entry stream: its header, the offset of that header, the data. */
type TarEntry = tar.Extract extends AsyncIterable<infer S> ? S : never;

const SUPPORTED = new Set(['file', 'contiguous-file', 'directory', 'symlink', 'link', 'character-device', 'block-device', 'fifo']);

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function seconds(value: Buffer | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.toString('latin1'));
  return Number.isFinite(n) ? n : fallback;
}

/** dockerd's boundTime: out-of-range times become the epoch rather than errors. */
function boundTime(t: number): number {
  return Number.isFinite(t) && t >= 0 && t < 2 ** 33 ? t : 0;
}

async function lstatOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fs.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of entry) {
    // discard
  }
}

function lstatOrNullSync(p: string): fsSync.Stats | null {
  return fsSync.lstatSync(p, { throwIfNoEntry: false }) ?? null;
}

/*
 * The per-entry work below uses synchronous fs calls on purpose: each is a
 * short syscall on a local filesystem, and a thread-pool round trip per call
 * (five or six per file) made extraction several times slower than GNU tar.
 * Nothing blocks for longer than one chunk's write into the page cache.
 */
function writeAll(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) offset += fsSync.writeSync(fd, chunk, offset, chunk.length - offset);
}

/** Applies entries one by one to a target directory; one instance per archive. */
class Extractor {
  size = 0;
  readonly warnings: string[] = [];
  private readonly scope: Scope;
  private readonly whiteouts: WhiteoutMode;
  private readonly chown: boolean;
  private readonly useXattrs: boolean;
  private readonly dirs = new Map<string, DirMeta>();
  private readonly xattrs = new Map<string, Map<string, Buffer>>();
  /** What this archive created, for opaque directories in `apply` mode. */
  private readonly unpacked = new Set<string>();
  private readonly implied: { uid: number; gid: number; chown: boolean };
  private readonly selfUid = typeof process.getuid === 'function' ? process.getuid() : -1;
  private readonly selfGid = typeof process.getgid === 'function' ? process.getgid() : -1;

  /** `within`: where entries go, relative to `root` (`.` unless ExtractOptions.root is given). */
  constructor(root: string, private readonly opts: ExtractOptions, private readonly within = '.') {
    this.scope = new Scope(root, opts.symlinks ?? 'refuse');
    this.whiteouts = opts.whiteouts === 'keep' ? 'none' : opts.whiteouts ?? 'overlay';
    this.chown = opts.chown ?? isRoot();
    this.useXattrs = opts.xattrs ?? true;
    const rootOwner = this.owner(0, 0);
    this.implied = { uid: rootOwner.uid, gid: rootOwner.gid, chown: this.chown };
  }

  /** A cleaned entry name as a path relative to the root. */
  private below(cleaned: string): string {
    return this.within === '.' ? cleaned : `${this.within}/${cleaned}`;
  }

  private owner(uid: number, gid: number): { uid: number; gid: number } {
    return this.opts.mapOwner ? this.opts.mapOwner(uid, gid) : { uid, gid };
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.opts.onWarning?.(message);
  }

  /** Drops deferred work for a path that is being replaced or removed, and all below it. */
  private forget(rel: string): void {
    for (const map of [this.dirs, this.xattrs] as Array<Map<string, unknown>>) {
      for (const key of map.keys()) if (isWithin(key, rel)) map.delete(key);
    }
    for (const key of this.unpacked) if (isWithin(key, rel)) this.unpacked.delete(key);
  }

  private async remove(rel: string): Promise<void> {
    this.scope.invalidate(rel);
    await fs.rm(this.scope.abs(rel), { recursive: true, force: true });
    this.forget(rel);
  }

  /** Applies one entry; true when it read the entry's data itself. */
  async handle(entry: TarEntry, pax: PaxRecords | undefined): Promise<boolean> {
    const h = entry.header as TarHeader;
    const rawName = h.name;
    const cleaned = cleanEntryName(rawName);
    if (cleaned === '.') return false; // the target itself: dockerd leaves it as it is
    const name = this.below(cleaned);
    const type = h.type ?? 'unknown';
    if (!SUPPORTED.has(type)) throw new InvalidArchiveError(`unsupported tar entry type (${type}) for ${JSON.stringify(rawName)}`);

    const base = path.posix.basename(name);
    if (this.whiteouts !== 'none' && base.startsWith(WHITEOUT_PREFIX)) {
      await this.whiteout(name, base, h);
      return false;
    }

    let linkTarget: string | undefined;
    if (type === 'link') linkTarget = await this.resolveHardlink(rawName, h.linkname ?? '');

    const target = (await this.scope.resolveEntry(name, rawName, { create: this.implied }))!;
    const abs = this.scope.abs(target);
    if (this.whiteouts === 'apply') this.unpacked.add(target);

    let fresh: boolean;
    switch (type) {
      case 'directory':
        fresh = await this.create(target, rawName, true, () => fsSync.mkdirSync(abs, 0o700));
        break;
      case 'file':
      case 'contiguous-file': {
        let fd = -1;
        fresh = await this.create(target, rawName, false, () => {
          fd = fsSync.openSync(abs, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
        });
        try {
          for await (const chunk of entry) writeAll(fd, chunk as Buffer);
        } finally {
          fsSync.closeSync(fd);
        }
        this.size += h.size ?? 0;
        await this.applyMetadata(abs, target, type, h, pax, fresh);
        return true;
      }
      case 'symlink':
        fresh = await this.create(target, rawName, false, () => fsSync.symlinkSync(h.linkname ?? '', abs));
        break;
      case 'link':
        await this.create(target, rawName, false, () => fsSync.linkSync(this.scope.abs(linkTarget!), abs));
        return false; // the inode already has its owner, mode, times and xattrs
      default:
        try {
          fresh = await this.create(target, rawName, false,
            () => mknod(abs, type as 'character-device' | 'block-device' | 'fifo', h.devmajor ?? 0, h.devminor ?? 0));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
          this.warn(`skipped ${type} ${JSON.stringify(rawName)}: not permitted to create device nodes here`);
          return false;
        }
    }
    await this.applyMetadata(abs, target, type, h, pax, fresh);
    return false;
  }

  /**
   * Creates an entry exclusively; what is already there is replaced, except a
   * directory meeting a directory, which is merged. Returns whether the entry
   * is new (owned by us, so chown may be skipped).
   */
  private async create(target: string, rawName: string, isDir: boolean, make: () => unknown): Promise<boolean> {
    try {
      await make();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const existing = fsSync.lstatSync(this.scope.abs(target));
    if (this.opts.noOverwriteDirNonDir && existing.isDirectory() !== isDir) {
      throw new Error(existing.isDirectory()
        ? `cannot overwrite directory ${JSON.stringify(target)} with non-directory ${JSON.stringify(rawName)}`
        : `cannot overwrite non-directory ${JSON.stringify(target)} with directory ${JSON.stringify(rawName)}`);
    }
    if (existing.isDirectory() && isDir) return false;
    await this.remove(target);
    if (this.whiteouts === 'apply') this.unpacked.add(target);
    await make();
    return true;
  }

  private async applyMetadata(abs: string, target: string, type: string, h: TarHeader, pax: PaxRecords | undefined, fresh: boolean): Promise<void> {
    const { uid, gid } = this.owner(h.uid ?? 0, h.gid ?? 0);
    const mode = (h.mode ?? 0) & 0o7777;
    const mtime = boundTime(seconds(pax?.get('mtime'), h.mtime ? h.mtime.getTime() / 1000 : 0));
    const atime = Math.max(boundTime(seconds(pax?.get('atime'), 0)), mtime);
    if (type === 'directory') this.dirs.set(target, { mode, atime, mtime });
    // A node we just made is already ours: skip the syscall when that is what the archive says.
    if (this.chown && !(fresh && uid === this.selfUid && gid === this.selfGid)) fsSync.lchownSync(abs, uid, gid);
    if (pax && this.useXattrs) this.collectXattrs(target, h.name, pax);
    if (type === 'directory') return; // mode and times once its contents are written
    if (type === 'symlink') {
      fsSync.lutimesSync(abs, atime, mtime);
      return;
    }
    // After chown, which clears setuid/setgid bits.
    fsSync.chmodSync(abs, mode);
    fsSync.utimesSync(abs, atime, mtime);
  }

  private collectXattrs(target: string, rawName: string, pax: PaxRecords): void {
    const attrs = new Map<string, Buffer>();
    for (const [key, value] of pax) {
      if (!key.startsWith(PAX_XATTR_PREFIX)) continue;
      const name = key.slice(PAX_XATTR_PREFIX.length);
      if (name.startsWith('trusted.overlay.')) {
        // Only whiteout conversion may mark overlay state; a layer must not forge it.
        this.warn(`ignored xattr ${name} on ${JSON.stringify(rawName)}`);
        continue;
      }
      if (!isTransportableXattrName(name)) {
        this.warn(`ignored xattr with unsupported name ${JSON.stringify(name)} on ${JSON.stringify(rawName)}`);
        continue;
      }
      attrs.set(name, value);
    }
    if (attrs.size > 0) this.xattrs.set(target, attrs);
  }

  private async resolveHardlink(rawName: string, linkname: string): Promise<string> {
    // Absolute link names are relative to the target, like entry names.
    let cleaned: string;
    try {
      cleaned = cleanEntryName(linkname);
    } catch {
      throw new UnsafeArchiveError(rawName, `hard link target ${JSON.stringify(linkname)} is outside the target directory`);
    }
    if (cleaned === '.') throw new InvalidArchiveError(`invalid hard link target ${JSON.stringify(linkname)} for ${JSON.stringify(rawName)}`);
    const rel = await this.scope.resolveEntry(this.below(cleaned), rawName);
    const st = rel === undefined ? null : lstatOrNullSync(this.scope.abs(rel));
    if (rel === undefined || st === null) {
      throw new InvalidArchiveError(`hard link target ${JSON.stringify(linkname)} of ${JSON.stringify(rawName)} does not exist`);
    }
    if (st.isDirectory()) throw new InvalidArchiveError(`hard link ${JSON.stringify(rawName)} points to a directory`);
    return rel;
  }

  private async whiteout(name: string, base: string, h: TarHeader): Promise<void> {
    const rawName = h.name;
    const parentName = path.posix.dirname(name);
    if (base === WHITEOUT_OPAQUE_DIR) {
      const dir = (await this.scope.resolveDir(parentName, rawName, { create: this.implied }))!;
      if (this.whiteouts === 'overlay') await setXattrStrict(this.scope.abs(dir), OVERLAY_OPAQUE_XATTR, 'y');
      else await this.prune(dir);
      return;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) return; // AUFS bookkeeping (.wh..wh.plnk and such)
    const original = base.slice(WHITEOUT_PREFIX.length);
    if (original === '' || original === '.' || original === '..') throw new InvalidArchiveError(`invalid whiteout entry ${JSON.stringify(rawName)}`);

    if (this.whiteouts === 'apply') {
      const dir = await this.scope.resolveDir(parentName, rawName);
      if (dir !== undefined) await this.remove(dir === '.' ? original : `${dir}/${original}`);
      return;
    }
    const dir = (await this.scope.resolveDir(parentName, rawName, { create: this.implied }))!;
    const target = dir === '.' ? original : `${dir}/${original}`;
    const abs = this.scope.abs(target);
    if (lstatOrNullSync(abs)) await this.remove(target);
    try {
      await mknod(abs, 'character-device', 0, 0);
    } catch (err) {
      throw new Error(`cannot create overlay whiteout for ${JSON.stringify(rawName)}: ${(err as Error).message}`);
    }
    const { uid, gid } = this.owner(h.uid ?? 0, h.gid ?? 0);
    if (this.chown && (uid !== 0 || gid !== 0)) fsSync.lchownSync(abs, uid, gid);
  }

  /** An opaque directory in `apply` mode keeps only what this archive put in it. */
  private async prune(dir: string): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(this.scope.abs(dir));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const n of names) {
      const rel = dir === '.' ? n : `${dir}/${n}`;
      if (!this.unpacked.has(rel)) {
        await this.remove(rel);
        continue;
      }
      const st = await lstatOrNull(this.scope.abs(rel));
      if (st?.isDirectory()) await this.prune(rel);
    }
  }

  /** Deferred work, on paths re-checked so a later symlink cannot redirect it. */
  async finish(): Promise<void> {
    const xattrTargets: Array<{ path: string; xattrs: ReadonlyMap<string, Buffer> }> = [];
    for (const [rel, attrs] of this.xattrs) {
      if (await this.scope.stillReal(rel)) xattrTargets.push({ path: this.scope.abs(rel), xattrs: attrs });
    }
    for (const w of await setXattrs(xattrTargets)) this.warn(w);
    // Deepest first is not needed: a directory's times do not change its parent's.
    for (const [rel, meta] of this.dirs) {
      const st = await this.scope.stillReal(rel);
      if (!st?.isDirectory()) continue;
      const abs = this.scope.abs(rel);
      fsSync.chmodSync(abs, meta.mode);
      fsSync.utimesSync(abs, meta.atime, meta.mtime);
    }
  }
}

/**
 * When the pipeline fails (gzip error, input error), tar-stream's iterator
 * only says its stream was destroyed: the pipeline's error is the real one.
 */
function rootCause(err: unknown, streamError: unknown): unknown {
  const generic = err instanceof Error
    && (err.name === 'StreamError' || (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE');
  const informative = streamError instanceof Error && (streamError as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE';
  return generic && informative ? streamError : err;
}

function normalizeError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof UnsafeArchiveError || err instanceof InvalidArchiveError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('Z_')) return new InvalidArchiveError(`invalid gzip stream: ${err.message}`);
  if (/^(Unexpected end of data|Invalid tar header|Header exceeds max size|Invalid header|No body allowed)/.test(err.message)) {
    return new InvalidArchiveError(`invalid tar stream: ${err.message}`);
  }
  return err;
}

/**
 * Extracts a layer or any tar stream into `targetDir` (created if missing),
 * never writing outside it (see SymlinkPolicy and cleanEntryName for the
 * rules). Gzip, bzip2, xz and zstd input is recognised and decompressed.
 * Resolves with the size, the diffID and the digest of the input as given.
 *
 * On any error it rejects, and `targetDir` holds whatever was written so far:
 * remove it (fs.rm recursive), or use extractLayerAtomically, which does.
 * Errors: UnsafeArchiveError (hostile archive), InvalidArchiveError (corrupt,
 * truncated, unsupported), or the filesystem's own.
 */
export async function extractLayer(
  input: NodeJS.ReadableStream | Readable,
  targetDir: string,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const source = toReadable(input);
  let root: string;
  let within = '.';
  try {
    await fs.mkdir(targetDir, { recursive: true });
    root = await fs.realpath(targetDir);
    if (opts.root !== undefined) {
      const outer = await fs.realpath(opts.root);
      within = path.relative(outer, root) || '.';
      if (within === '..' || within.startsWith('../') || path.isAbsolute(within)) {
        throw new Error(`${targetDir} is not inside ${opts.root}`);
      }
      root = outer;
    }
  } catch (err) {
    source.destroy();
    throw err;
  }
  const extractor = new Extractor(root, opts, within);
  const raw = new HashingStream();
  const uncompressed = new HashingStream();
  const scanner = new PaxScanner();
  // Go's archive/tar (dockerd) reads pre-POSIX v7 headers too.
  const options: Parameters<typeof tar.extract>[0] & { allowUnknownFormat: boolean } = { allowUnknownFormat: true };
  const extract = tar.extract(options);
  pipeline(source, raw, () => undefined);
  let done: Promise<void> | undefined;
  try {
    const opened = opts.decompress === false
      ? { stream: raw as Readable, compression: 'none' as Compression }
      : await openMaybeCompressed(raw);
    // Uncompressed input is its own diffID: hash it once.
    const plain = opened.compression === 'none';
    done = plain
      ? pipelineAsync(opened.stream, scanner, tarExtractSink(extract))
      : pipelineAsync(opened.stream, uncompressed, scanner, tarExtractSink(extract));
    done.catch(() => undefined);
    for await (const entry of extract) {
      if (!(await extractor.handle(entry, scanner.recordsFor(entry.offset)))) await drain(entry);
    }
    await done;
    await extractor.finish();
    const compressedDigest = raw.digest();
    return {
      size: extractor.size,
      diffId: plain ? compressedDigest : uncompressed.digest(),
      compressedDigest,
      compression: opened.compression,
      warnings: extractor.warnings,
    };
  } catch (err) {
    source.destroy();
    raw.destroy();
    extract.destroy();
    const streamError = done ? await done.then(() => undefined, (e: unknown) => e) : undefined;
    throw normalizeError(rootCause(err, streamError));
  }
}

/**
 * Extracts into `finalDir + '.tmp-<random>'` and renames it to `finalDir`
 * only once everything succeeded, so nothing half-written is ever visible
 * under `finalDir`; on failure the temporary directory is removed. When
 * `finalDir` already exists (a concurrent pull of the same layer won), the
 * temporary copy is discarded and the result still returned: both hold the
 * same content, since the caller names the directory by digest.
 */
export async function extractLayerAtomically(
  input: NodeJS.ReadableStream | Readable,
  finalDir: string,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const tmp = `${finalDir}.tmp-${randomBytes(8).toString('hex')}`;
  try {
    await fs.mkdir(path.dirname(finalDir), { recursive: true });
    await fs.mkdir(tmp, 0o755);
    await fs.chmod(tmp, 0o755);
  } catch (err) {
    toReadable(input).destroy();
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  let result: ExtractResult;
  try {
    result = await extractLayer(input, tmp, opts);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  try {
    // rename(2) would replace an empty directory: an existing one always wins.
    if ((await lstatOrNull(finalDir)) === null) {
      await fs.rename(tmp, finalDir);
      return result;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') {
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
  await fs.rm(tmp, { recursive: true, force: true });
  return result;
}
