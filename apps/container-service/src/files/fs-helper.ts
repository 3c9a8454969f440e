/*
 * The fs helper: one short-lived process per docker cp (stat, archive,
 * extract) and export, started by container-service under `unshare
 * --mount`. In its private mount namespace it clones the container's
 * volumes and /etc files as detached mounts, then chroots into the
 * container's root file system and attaches them there, so the tree it
 * reads or writes is the one the container sees, exactly as dockerd's own
 * view; the mounts die with the process, whatever happens to it.
 *
 * Why chroot: a running container can swap any directory of its tree for a
 * symlink at any moment (renameat2 RENAME_EXCHANGE), so a path resolved in
 * userspace and then used by host path may land on the host by the time it
 * is used (CVE-2018-15664). Chrooted, the kernel resolves every component
 * of every path against the container's `/` at each use: the worst a race
 * can do is point the helper at another of the container's own files, as
 * with dockerd since 19.03. chroot rather than openat2(RESOLVE_IN_ROOT) on
 * each call because the archive code works by path (lstat, readdir, open,
 * utimes, lchown...) and stays as it is.
 *
 * Once chrooted nothing from the host is in reach, so everything the helper
 * needs is loaded before (every module is imported at the top, the addon
 * with the system calls Node lacks), and it may exec nothing: a binary it
 * found would be the container's. Protocol: fs-helper-protocol.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InvalidArchiveError, UnsafeArchiveError, extractLayer, packDirectory, useArchiveSyscalls } from '@berth/archive';
import { CONTROL_FD, type HelperErrorKind, type HelperMessage, type HelperRequest } from './fs-helper-protocol';
import { archiveTarget, packTarget, statForCp } from './cp-read';
import { cleanAbsolute } from './go-paths';
import { fsNative } from './fs-native';
import { attachMounts, takeMounts, type VolumePoint } from './mount-view';
import { ScopedPathError, errnoText, resolveInRoot } from './scoped-path';
import { UserError, resolveUser } from '../runtime/users';

class HelperError extends Error {
  constructor(readonly kind: HelperErrorKind, message: string) {
    super(message);
  }
}

function send(msg: HelperMessage): void {
  fs.writeSync(CONTROL_FD, `${JSON.stringify(msg)}\n`);
}

function doStat(root: string, requested: string): void {
  send({ type: 'stat', stat: statForCp(root, requested) });
}

async function doArchive(root: string, requested: string): Promise<void> {
  const target = archiveTarget(root, requested);
  send({ type: 'stat', stat: target.stat });
  await pipeline(packTarget(target), fs.createWriteStream('', { fd: 1 }));
}

/** dockerd's checkWritablePath: a volume decides for the paths inside it, the rootfs flag for the rest. */
function checkWritable(containerPath: string, volumes: VolumePoint[], readonlyRootfs: boolean): void {
  for (const v of volumes) {
    const rel = path.posix.relative(path.posix.normalize(v.destination), containerPath);
    if (rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel))) {
      if (v.rw) return;
      throw new HelperError('invalid', 'mounted volume is marked read-only');
    }
  }
  if (readonlyRootfs) throw new HelperError('invalid', 'container rootfs is marked read-only');
}

const GO_SYSCALL: Record<string, string> = { rm: 'unlinkat', unlink: 'unlinkat', rmdir: 'unlinkat' };

/** Errors of the extraction in dockerd's words, with container paths rather than host ones. */
function extractError(err: unknown, root: string, destination: string): HelperError {
  if (err instanceof HelperError) return err;
  const inContainer = (p: string): string => {
    const rel = path.relative(root, p);
    return rel === '' ? '/' : rel.startsWith('..') ? p : `/${rel}`;
  };
  const message = err instanceof Error ? err.message : String(err);
  const overwrite = /^cannot overwrite (directory|non-directory) ("(?:[^"\\]|\\.)*") with (non-directory|directory) /.exec(message);
  if (overwrite) {
    const existing = `/${JSON.parse(overwrite[2]!) as string}`;
    return new HelperError('internal', `cannot overwrite ${overwrite[1]} ${JSON.stringify(existing)} with ${overwrite[3]} ${JSON.stringify(destination)}`);
  }
  if (err instanceof UnsafeArchiveError || err instanceof InvalidArchiveError) return new HelperError('internal', message);
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code === 'string' && e.syscall && e.path) {
    return new HelperError('internal', `${GO_SYSCALL[e.syscall] ?? e.syscall} ${inContainer(e.path)}: ${errnoText(e.code)}`);
  }
  return new HelperError('internal', message);
}

async function doExtract(root: string, req: Extract<HelperRequest, { op: 'extract' }>): Promise<void> {
  // The destination with every link followed, its last component too: a link to a directory is a fine target.
  const resolved = resolveInRoot(root, cleanAbsolute(req.path), { followLast: true, display: cleanAbsolute(req.path) });
  if (!resolved.stat!.isDirectory()) throw new HelperError('invalid', 'extraction point is not a directory');
  checkWritable(resolved.containerPath, req.volumes, req.readonlyRootfs);
  let owner: { uid: number; gid: number } | undefined;
  if (req.user) {
    try {
      const u = resolveUser(root, req.user);
      owner = { uid: u.uid, gid: u.gid };
    } catch (err) {
      if (err instanceof UserError) {
        // dockerd's wording: `failed to look up user "bob" in container: no matching entries in passwd file`.
        const m = /^unable to find (user|group) (.*?): (.*)$/i.exec(err.message);
        throw new HelperError('invalid', m ? `failed to look up ${m[1]!.toLowerCase()} ${JSON.stringify(m[2])} in container: ${m[3]}` : err.message);
      }
      throw err;
    }
  }
  try {
    const result = await extractLayer(process.stdin, resolved.host, {
      root,
      // container-service decompressed it: a decompressor here would be the container's binary.
      decompress: false,
      symlinks: 'chroot',
      // A `.wh.` file copied in is just a file.
      whiteouts: 'keep',
      noOverwriteDirNonDir: req.noOverwriteDirNonDir,
      ...(owner ? { mapOwner: () => owner! } : {}),
    });
    for (const w of result.warnings) send({ type: 'warning', message: w });
  } catch (err) {
    throw extractError(err, root, resolved.containerPath);
  }
}

/** Any exec from here on would run a program of the container's, as root: make it impossible. */
function forbidExec(): void {
  const refuse = (): never => {
    throw new Error('the fs helper runs no program inside a container root');
  };
  // The module object itself (not an import's copy of it), which every caller looks its functions up on.
  const childProcess = require('node:child_process') as Record<string, unknown>;
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
    Object.defineProperty(childProcess, name, { value: refuse, configurable: false, writable: false });
  }
  process.env['PATH'] = '';
}

/** docker export: the container's root as it is, without its mounts. */
async function doExport(): Promise<void> {
  await pipeline(packDirectory('/'), fs.createWriteStream('', { fd: 1 }));
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as HelperRequest;
  const native = fsNative();
  const warn = (message: string): void => send({ type: 'warning', message });
  const hostRoot = fs.realpathSync(req.rootfs);
  const taken = takeMounts(req.op === 'export' ? [] : req.mounts, native, warn);
  useArchiveSyscalls(native);
  native.chroot(hostRoot);
  forbidExec();
  const root = '/';
  attachMounts(root, taken, native, warn);
  if (req.op === 'stat') doStat(root, req.path);
  else if (req.op === 'archive') await doArchive(root, req.path);
  else if (req.op === 'export') await doExport();
  else await doExtract(root, req);
}

main().then(
  () => {
    send({ type: 'done' });
    process.exit(0);
  },
  (err: unknown) => {
    let kind: HelperErrorKind = 'internal';
    let message = err instanceof Error ? err.message : String(err);
    if (err instanceof HelperError) kind = err.kind;
    else if (err instanceof ScopedPathError && err.code === 'ENOENT') kind = 'notFound';
    try {
      send({ type: 'error', kind, message });
    } catch {
      process.stderr.write(`${message}\n`);
    }
    process.exit(1);
  },
);
