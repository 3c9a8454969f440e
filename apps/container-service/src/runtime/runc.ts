import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandError, runCommand } from '@berth/host';

export const RUNC_BINARY = '/usr/sbin/runc';

export type RuncStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** What `runc state` and `runc list --format json` print for one container. */
export interface RuncState {
  ociVersion?: string;
  id: string;
  pid: number;
  status: RuncStatus;
  bundle: string;
  rootfs: string;
  created: string;
  owner?: string;
  annotations?: Record<string, string>;
}

export class RuncError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`runc ${args.join(' ')}: ${RuncError.messageOf(stderr) || `exit status ${exitCode}`}`);
    this.name = 'RuncError';
  }

  /** runc logs `time=... level=error msg="..."`: the msg part is what a user wants to see. */
  static messageOf(stderr: string): string {
    const lines = stderr.trim().split('\n').filter(Boolean);
    const msgs = lines.map((l) => /msg="((?:[^"\\]|\\.)*)"/.exec(l)?.[1]?.replace(/\\"/g, '"') ?? l);
    return msgs.join('; ');
  }

  /** The container is unknown to runc. */
  get isNotFound(): boolean {
    return /does not exist|container not found/i.test(this.stderr);
  }
}

/**
 * The runc CLI, every call under one state root (`<run-root>/runc`) so Berth's
 * containers never mix with anyone else's in /run/runc.
 */
export class Runc {
  constructor(
    readonly root: string,
    readonly binary: string = RUNC_BINARY,
  ) {}

  private async exec(args: string[]): Promise<string> {
    try {
      return (await runCommand(this.binary, ['--root', this.root, ...args])).stdout;
    } catch (err) {
      if (err instanceof CommandError) throw new RuncError(args, err.exitCode, err.stderr || err.detail);
      throw err;
    }
  }

  async state(id: string): Promise<RuncState> {
    return JSON.parse(await this.exec(['state', id])) as RuncState;
  }

  /** The state, or undefined when runc does not know the container. */
  async tryState(id: string): Promise<RuncState | undefined> {
    try {
      return await this.state(id);
    } catch (err) {
      if (err instanceof RuncError && err.isNotFound) return undefined;
      throw err;
    }
  }

  async start(id: string): Promise<void> {
    await this.exec(['start', id]);
  }

  /**
   * What `runc start` does to a created container, without paying for a runc
   * process: runc 1.1's init waits to open `<root>/<id>/exec.fifo` for
   * writing; opening it for reading lets the init write one byte and exec the
   * container's process; the fifo is then removed. Falls back to `runc start`
   * when the fifo is not where runc 1.1 keeps it.
   */
  async startViaFifo(id: string, initPid: number, timeoutMs = 5000): Promise<void> {
    const fifo = path.join(this.root, id, 'exec.fifo');
    if (!fs.existsSync(fifo)) return this.start(id);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // A reader blocked in open() is released by any writer.
      try {
        fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      } catch {
        // no reader waiting any more
      }
    }, timeoutMs);
    let data = '';
    try {
      const fh = await fs.promises.open(fifo, fs.constants.O_RDONLY);
      try {
        const buf = Buffer.alloc(16);
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead === 0) break;
          data += buf.subarray(0, bytesRead).toString();
        }
      } finally {
        await fh.close();
      }
    } finally {
      clearTimeout(timer);
    }
    if (timedOut || data === '') {
      let alive = false;
      try {
        process.kill(initPid, 0);
        alive = true;
      } catch {
        // gone
      }
      throw new RuncError(['start', id], null, alive ? 'timed out starting the container' : 'cannot start a container that has stopped');
    }
    await fs.promises.rm(fifo, { force: true });
  }

  /** `signal` as runc takes it: a name (`KILL`, `SIGTERM`) or a number. `all` signals every process of the container. */
  async kill(id: string, signal: string | number = 'SIGTERM', all = false): Promise<void> {
    await this.exec(['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }

  async delete(id: string, force = false): Promise<void> {
    await this.exec(['delete', ...(force ? ['--force'] : []), id]);
  }

  async pause(id: string): Promise<void> {
    await this.exec(['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.exec(['resume', id]);
  }

  /** `runc update --resources <file>`: new cgroup limits for a running container. */
  async update(id: string, resourcesFile: string): Promise<void> {
    await this.exec(['update', '--resources', resourcesFile, id]);
  }

  async list(): Promise<RuncState[]> {
    const out = (await this.exec(['list', '--format', 'json'])).trim();
    // an empty root prints `null`
    return out ? ((JSON.parse(out) as RuncState[] | null) ?? []) : [];
  }
}
