import * as crypto from 'node:crypto';
import * as dns from 'node:dns';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandError, isMountPoint, mountsUnder, runCommand } from '@berth/host';
import { volumeDirectory } from './names';
import {
  describeMountFailure, MountSpec, mountFailureReason, redactPassword, Resolver, resolveNetworkSource,
} from './mount-options';

const MOUNT = '/bin/mount';
const UMOUNT = '/bin/umount';
const DATA_DIR = '_data';
/** Volume directories being removed are renamed to this prefix first; no volume name starts with '.'. */
const REMOVING_PREFIX = '.removing-';

/** mount(8) and umount(8), their stderr as the error's message; a hung one (an unreachable nfs server) times out. */
async function run(file: string, args: string[], timeoutMs: number): Promise<void> {
  try {
    await runCommand(file, args, { timeoutMs });
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    throw Object.assign(new Error(err.timedOut ? 'connection timed out' : err.detail), { stderr: err.stderr });
  }
}

/** Go's net.ResolveIPAddr("ip", host): an IPv4 address unless the host looks like IPv6. */
const defaultResolver: Resolver = async (host) => {
  const all = await dns.promises.lookup(host, { all: true });
  const want6 = host.includes(':');
  const pick = all.find((a) => (want6 ? a.family === 6 : a.family === 4)) ?? all[0];
  if (!pick) throw Object.assign(new Error('no such host'), { code: 'ENOTFOUND' });
  return pick.address;
};

export interface LocalDriverOptions {
  /** Longest a mount(8) may take (an unreachable nfs server hangs it). */
  mountTimeoutMs?: number;
  resolver?: Resolver;
}

/**
 * The filesystem side of dockerd's `local` volume driver: a directory per
 * volume, `<root>/<name>` (0701) holding `_data` (0755), and for volumes
 * with mount options the mount of `_data` itself.
 */
export class LocalDriver {
  readonly root: string;
  private readonly mountTimeoutMs: number;
  private readonly resolver: Resolver;

  constructor(root: string, options: LocalDriverOptions = {}) {
    this.root = path.resolve(root);
    this.mountTimeoutMs = options.mountTimeoutMs ?? 60_000;
    this.resolver = options.resolver ?? defaultResolver;
    // Others may traverse to a _data directory (user-namespaced containers) but not list volumes.
    fs.mkdirSync(this.root, { recursive: true });
    fs.chmodSync(this.root, 0o701);
  }

  volumeDir(name: string): string {
    return volumeDirectory(this.root, name);
  }

  mountpoint(name: string): string {
    return `${this.volumeDir(name)}/${DATA_DIR}`;
  }

  /** Makes the volume's directories; idempotent, and existing modes are left as containers set them. */
  createDirectories(name: string): void {
    const dir = this.volumeDir(name);
    if (fs.mkdirSync(dir, { recursive: true }) !== undefined) fs.chmodSync(dir, 0o701);
    const data = this.mountpoint(name);
    if (fs.mkdirSync(data, { recursive: true }) !== undefined) fs.chmodSync(data, 0o755);
  }

  isMounted(name: string): boolean {
    return isMountPoint(this.mountpoint(name));
  }

  /** Mounts `_data` as the options say, unless it is mounted already (by us before a restart, say). */
  async mount(name: string, spec: MountSpec): Promise<void> {
    if (this.isMounted(name)) return;
    const target = this.mountpoint(name);
    this.createDirectories(name);
    let source: MountSpec;
    try {
      source = await resolveNetworkSource(spec, this.resolver);
    } catch (err) {
      throw new Error(`failed to mount local volume: ${(err as Error).message}`);
    }
    if (source.device === '') throw new Error('failed to mount local volume: missing device in volume options');
    const args = ['-i'];
    if (source.type !== '') args.push('-t', source.type);
    if (source.options !== '') args.push('-o', source.options);
    args.push(source.device, target);
    try {
      await run(MOUNT, args, this.mountTimeoutMs);
    } catch (err) {
      const reason = mountFailureReason((err as { stderr?: string }).stderr || (err as Error).message, target);
      throw new Error(redactPassword(`failed to mount local volume: ${describeMountFailure(source, target, reason)}`, spec.options));
    }
  }

  /** Detaches the mount of `_data` (lazily, as dockerd does); not being mounted is fine. */
  async unmount(name: string): Promise<void> {
    if (!this.isMounted(name)) return;
    const target = this.mountpoint(name);
    try {
      await run(UMOUNT, ['-l', target], this.mountTimeoutMs);
    } catch (err) {
      if (this.isMounted(name)) throw new Error(`umount ${target}, flags: 0x2: ${mountFailureReason((err as Error).message, target)}`);
    }
  }

  /**
   * Renames the volume's directory out of the way (atomic, so a new volume
   * of the same name starts from nothing) and returns where it went, or
   * undefined when there was no directory. Refuses while anything is
   * mounted inside it, so removal can never reach into a mounted tree.
   */
  moveAside(name: string): string | undefined {
    const dir = this.volumeDir(name);
    if (mountsUnder(dir).length > 0) throw new Error('volume has active mounts');
    const aside = path.join(this.root, `${REMOVING_PREFIX}${name}-${crypto.randomBytes(6).toString('hex')}`);
    try {
      fs.renameSync(dir, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return aside;
  }

  /** Deletes a directory moveAside produced; leaves it (and says so) if something got mounted inside. */
  async purge(aside: string): Promise<void> {
    if (path.dirname(aside) !== this.root || !path.basename(aside).startsWith(REMOVING_PREFIX)) {
      throw new Error(`refusing to delete ${aside}: not a removed volume directory`);
    }
    if (mountsUnder(aside).length > 0) throw new Error(`not deleting ${aside}: something is mounted inside`);
    await fs.promises.rm(aside, { recursive: true, force: true });
  }

  /** Directories a crash left between moveAside and purge. */
  leftovers(): string[] {
    return fs.readdirSync(this.root).filter((n) => n.startsWith(REMOVING_PREFIX)).map((n) => path.join(this.root, n));
  }


  /**
   * Bytes under `_data` as dockerd counts them: every non-directory entry's
   * size (symlinks included, not followed), each inode once; -1 when
   * `_data` cannot be read.
   */
  async size(name: string): Promise<number> {
    const seen = new Set<string>();
    const walk = async (dir: string): Promise<number> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch {
        return 0; // gone meanwhile
      }
      let total = 0;
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          total += await walk(p);
          continue;
        }
        try {
          const st = await fs.promises.lstat(p);
          const key = `${st.dev}:${st.ino}`;
          if (st.size > 0 && !seen.has(key)) {
            seen.add(key);
            total += st.size;
          }
        } catch { /* removed meanwhile */ }
      }
      return total;
    };
    const data = this.mountpoint(name);
    try {
      await fs.promises.readdir(data);
    } catch {
      return -1;
    }
    return walk(data);
  }
}
