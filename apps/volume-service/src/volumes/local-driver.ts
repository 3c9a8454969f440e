import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mountArguments } from './options';

const run = promisify(execFile);

/** Mount points as the kernel lists them (octal escapes decoded). */
function mountPoints(): Set<string> {
  const out = new Set<string>();
  try {
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const fields = line.split(' ');
      if (fields.length > 4) out.add(fields[4].replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
    }
  } catch { /* no /proc: nothing is mounted as far as we can tell */ }
  return out;
}

/**
 * The `local` driver's filesystem side: `<root>/<name>/_data`, and for
 * volumes with type/device options, the mount of that directory.
 */
export class LocalDriver {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    fs.mkdirSync(root, { recursive: true, mode: 0o701 });
  }

  volumeDir(name: string): string {
    // Names are validated on create; this keeps a bug elsewhere from reaching outside the root.
    if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new Error(`volume path escapes the data-root: ${name}`);
    return `${this.root}/${name}`;
  }

  mountpoint(name: string): string {
    return `${this.volumeDir(name)}/_data`;
  }

  /** Idempotent: replicas racing on one name end with the same directories. */
  create(name: string): void {
    fs.mkdirSync(this.volumeDir(name), { recursive: true, mode: 0o701 });
    fs.mkdirSync(this.mountpoint(name), { recursive: true, mode: 0o755 });
  }

  isMounted(name: string): boolean {
    return mountPoints().has(this.mountpoint(name));
  }

  async mount(name: string, opts: Record<string, string>): Promise<void> {
    if (this.isMounted(name)) return;
    this.create(name);
    try {
      await run('mount', mountArguments(opts, this.mountpoint(name)));
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`failed to mount local volume: ${stderr || (err as Error).message}`);
    }
  }

  async unmount(name: string): Promise<void> {
    if (!this.isMounted(name)) return;
    try {
      await run('umount', [this.mountpoint(name)]);
    } catch (err) {
      if (this.isMounted(name)) throw new Error(`failed to unmount local volume: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
    }
  }

  async remove(name: string): Promise<void> {
    await this.unmount(name);
    if (this.isMounted(name)) throw new Error(`volume ${name} is still mounted`);
    await fs.promises.rm(this.volumeDir(name), { recursive: true, force: true });
  }

  /** Bytes used under the mountpoint (regular files, each inode once); -1 if unreadable. */
  async size(name: string): Promise<number> {
    const seen = new Set<string>();
    const walk = async (dir: string): Promise<number> => {
      let total = 0;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch {
        return 0;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) total += await walk(p);
        else if (e.isFile()) {
          try {
            const st = await fs.promises.lstat(p);
            const key = `${st.dev}:${st.ino}`;
            if (!seen.has(key)) { seen.add(key); total += st.size; }
          } catch { /* removed meanwhile */ }
        }
      }
      return total;
    };
    try {
      await fs.promises.access(this.mountpoint(name));
    } catch {
      return -1;
    }
    return walk(this.mountpoint(name));
  }
}
