import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandError, isMountPoint, runCommand } from '@berth/host';

/**
 * Network namespaces kept alive by bind mounts of their nsfs file under one
 * directory (`<run-root>/netns`), not the host's /var/run/netns, so several
 * Berths on one host never see each other's. The directory is bind-mounted
 * onto itself with private propagation: a namespace file cannot be mounted
 * where the mount would propagate (unshare refuses), and private also keeps
 * the mounts from spreading into other mount namespaces.
 */
export class NetnsDirectory {
  private prepared?: Promise<void>;

  readonly dir: string;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    // mountinfo names mount points by their real path.
    this.dir = fs.realpathSync(dir);
  }

  pathOf(name: string): string {
    return path.join(this.dir, name);
  }

  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o755 });
      if (!isMountPoint(this.dir)) await runCommand('mount', ['--bind', this.dir, this.dir]);
      await runCommand('mount', ['--make-private', this.dir]);
    })().catch((err: unknown) => {
      this.prepared = undefined;
      throw err;
    });
    return this.prepared;
  }

  /**
   * A new namespace with loopback up, as every container gets. `inside` is a
   * shell script run in it at once (same process start): wiring done there
   * saves a process start from Node per step.
   */
  async create(name: string, inside = ''): Promise<string> {
    await this.prepare();
    const file = this.pathOf(name);
    await this.remove(name);
    fs.writeFileSync(file, '', { mode: 0o444 });
    try {
      await runCommand('unshare', [`--net=${file}`, 'sh', '-ec', `ip link set lo up\n${inside}`]);
    } catch (err) {
      await this.remove(name).catch(() => undefined);
      throw err;
    }
    return file;
  }

  /**
   * The host's own namespace under `name` (dockerd's netns/default): what
   * SandboxKey names with host networking, so `nsenter --net=` on it works.
   */
  async host(name: string): Promise<string> {
    await this.prepare();
    const file = this.pathOf(name);
    if (isMountPoint(file)) return file;
    fs.writeFileSync(file, '', { mode: 0o444 });
    // mount(8) runs in our namespace, so its /proc/self is the host's (ours).
    await runCommand('mount', ['--bind', `/proc/${process.pid}/ns/net`, file]).catch((err: unknown) => {
      if (!isMountPoint(file)) throw err; // a replica won the race
    });
    return file;
  }

  /** Unmounts and deletes the file; the namespace dies once no process is left in it. Idempotent. */
  async remove(name: string): Promise<void> {
    const file = this.pathOf(name);
    for (let i = 0; i < 4 && isMountPoint(file); i++) {
      await runCommand('umount', [file]).catch(async (err: unknown) => {
        if (err instanceof CommandError && /busy/i.test(err.stderr)) await runCommand('umount', ['-l', file]);
        else if (isMountPoint(file)) throw err;
      });
    }
    fs.rmSync(file, { force: true });
  }

  /** Runs a shell script inside an existing namespace (a live connect or disconnect). */
  async run(name: string, script: string): Promise<void> {
    await runCommand('nsenter', [`--net=${this.pathOf(name)}`, 'sh', '-ec', script]);
  }

  /** Whether `name` is a live namespace mount. */
  exists(name: string): boolean {
    return isMountPoint(this.pathOf(name));
  }
}
