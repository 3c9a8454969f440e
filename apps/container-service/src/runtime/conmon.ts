import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive, readExitFile, readPidFile, readTextFile, runCommand } from '@berth/host';
import { Runc, RUNC_BINARY } from './runc';

export const CONMON_BINARY = '/usr/bin/conmon';

/** sun_path holds 108 bytes including the terminating NUL. */
export const MAX_SOCKET_PATH = 107;

export interface CreateContainerOptions {
  id: string;
  /** The OCI bundle: config.json (and the rootfs it names); conmon puts attach, ctl and winsz here. */
  bundle: string;
  /** runc's state root (`<run-root>/runc`). */
  runcRoot: string;
  /** conmon's k8s-file log. */
  logPath: string;
  /** conmon writes the exit code to `<exitDir>/<id>`. */
  exitDir: string;
  /** conmon links `<socketDir>/<id>` to the bundle; `<socketDir>/<id>/attach` must fit in sun_path. */
  socketDir: string;
  /** The container's init pid, written by runc. */
  pidFile: string;
  /** conmon's own pid. */
  conmonPidFile: string;
  terminal?: boolean;
  /** Keep a pipe to the container's stdin (`docker run -i`). */
  stdin?: boolean;
  /** Keep stdin open when an attached client goes away (`docker run -i` without `--attach`-style closing). */
  leaveStdinOpen?: boolean;
  /** conmon's own error output; default `<bundle>/conmon.log`. */
  conmonLogPath?: string;
  /**
   * runc's log for `runc create` (JSON lines); default `<bundle>/runc-create.log`.
   * Without a sync pipe conmon drops runc's stderr, so this is where the reason for a failed create is.
   */
  runtimeLogPath?: string;
  /** How long runc may take to reach `created`; default 30 s. */
  timeoutMs?: number;
  conmonBinary?: string;
  runtimeBinary?: string;
}

export interface CreatedContainer {
  /** The container's init process, in the host's pid namespace. */
  pid: number;
  conmonPid: number;
}

export class ConmonError extends Error {
  constructor(message: string, readonly output: string = '') {
    super(output ? `${message}: ${output}` : message);
    this.name = 'ConmonError';
  }
}

export function attachSocketPath(socketDir: string, id: string): string {
  return path.join(socketDir, id, 'attach');
}


function runtimeLog(o: CreateContainerOptions): string {
  return o.runtimeLogPath ?? path.join(o.bundle, 'runc-create.log');
}

/** The error messages of a runc JSON log (`{"level":"error","msg":...}` lines). */
export function runtimeErrors(log: string): string {
  const msgs: string[] = [];
  for (const line of log.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) msgs.push(entry.msg);
    } catch {
      msgs.push(line);
    }
  }
  return msgs.join('; ');
}

/** conmon's arguments for one container (the recipe verified in DESIGN.md). */
export function conmonArgs(o: CreateContainerOptions): string[] {
  const args = [
    '--cid', o.id,
    '--cuuid', o.id,
    '--name', o.id,
    '--runtime', o.runtimeBinary ?? RUNC_BINARY,
    '--runtime-arg', `--root=${o.runcRoot}`,
    '--runtime-arg', `--log=${runtimeLog(o)}`,
    '--runtime-arg', '--log-format=json',
    '--bundle', o.bundle,
    '--container-pidfile', o.pidFile,
    '--conmon-pidfile', o.conmonPidFile,
    '--exit-dir', o.exitDir,
    '--log-path', `k8s-file:${o.logPath}`,
    '--socket-dir-path', o.socketDir,
  ];
  if (o.terminal) args.push('--terminal');
  if (o.stdin) args.push('--stdin');
  if (o.leaveStdinOpen) args.push('--leave-stdin-open');
  return args;
}

/**
 * Starts conmon, which runs `runc create` and stays as the container's monitor,
 * and resolves once runc reports the container `created` (conmon's launcher
 * exits at once, long before that). On failure nothing of the container is left.
 */
export async function createContainer(o: CreateContainerOptions): Promise<CreatedContainer> {
  const socket = attachSocketPath(o.socketDir, o.id);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new ConmonError(`attach socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter socket dir`);
  }
  for (const dir of [o.exitDir, o.socketDir, path.dirname(o.logPath), path.dirname(o.pidFile), path.dirname(o.conmonPidFile)]) {
    await fs.promises.mkdir(dir, { recursive: true });
  }
  // stale files from an earlier run would be taken for this one's
  for (const f of [path.join(o.exitDir, o.id), o.pidFile, o.conmonPidFile, runtimeLog(o)]) await fs.promises.rm(f, { force: true });

  const conmonLog = o.conmonLogPath ?? path.join(o.bundle, 'conmon.log');
  const logFd = fs.openSync(conmonLog, 'a');
  let launcherCode: number | null;
  try {
    // conmon forks a daemon that keeps these fds: a file, not a pipe, so nothing here waits on it.
    launcherCode = (await runCommand(o.conmonBinary ?? CONMON_BINARY, conmonArgs(o), { outputFd: logFd, detached: true, allowFailure: true })).exitCode;
  } finally {
    fs.closeSync(logFd);
  }
  if (launcherCode !== 0) throw new ConmonError(`conmon exited with ${launcherCode}`, await readTextFile(conmonLog));

  const deadline = Date.now() + (o.timeoutMs ?? 30000);
  const pidFileWritten = new FileAppearance(o.pidFile);
  let conmonPid: number | undefined;
  let failure: string;
  try {
    // runc writes the container's pid file once `runc create` is done.
    for (let round = 0; ; round++) {
      conmonPid ??= await readPidFile(o.conmonPidFile);
      const pid = await readPidFile(o.pidFile);
      if (pid !== undefined) {
        if (conmonPid !== undefined) return { pid, conmonPid };
        failure = 'conmon wrote no pid file';
        break;
      }
      if (conmonPid !== undefined && !processAlive(conmonPid)) {
        // it may have finished between the two reads
        const late = await readPidFile(o.pidFile);
        if (late !== undefined) return { pid: late, conmonPid };
        failure = 'conmon exited before the container was created';
        break;
      }
      if (Date.now() > deadline) {
        failure = 'timed out waiting for the container to be created';
        break;
      }
      await pidFileWritten.wait(round);
    }
  } finally {
    pidFileWritten.close();
  }

  if (conmonPid !== undefined && processAlive(conmonPid)) {
    try {
      process.kill(conmonPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await new Runc(o.runcRoot, o.runtimeBinary ?? RUNC_BINARY).delete(o.id, true).catch(() => undefined);
  const output = [runtimeErrors(await readTextFile(runtimeLog(o))), await readTextFile(conmonLog)].filter(Boolean).join('; ');
  throw new ConmonError(failure, output);
}

/**
 * Waits for a file to be written into its directory: woken by inotify
 * (runc writes its pid file with a rename), which is far cheaper than
 * polling or running `runc state` over and over; a slower poll stays as the
 * fallback for a missed or unavailable notification.
 */
class FileAppearance {
  private readonly watcher?: fs.FSWatcher;
  private woken = false;
  private wake?: () => void;

  constructor(file: string) {
    const name = path.basename(file);
    try {
      this.watcher = fs.watch(path.dirname(file), (_event, changed) => {
        if (changed !== name) return;
        this.woken = true;
        this.wake?.();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined;
    }
  }

  /** Resolves when the file may have appeared, or after a poll interval. */
  wait(round: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, this.watcher ? 10 : round < 50 ? 2 : 20);
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
  }
}

/** The exit code conmon recorded in `<exitDir>/<id>`, or undefined while the container has not exited. */
export function readExitCode(exitDir: string, id: string): Promise<number | undefined> {
  return readExitFile(path.join(exitDir, id));
}

/**
 * Resolves with the exit code once conmon writes it. Watches the exit directory
 * and also polls, since inotify misses events on some file systems and a watch
 * can fail outright (too many watches).
 */
export function waitForExit(exitDir: string, id: string, signal?: AbortSignal, pollMs = 250): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let done = false;
    let watcher: fs.FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    let checking = false;
    let again = false;

    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      watcher?.close();
      if (timer) clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const check = async () => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const code = await readExitCode(exitDir, id);
          if (code !== undefined) return finish(() => resolve(code));
        } while (again && !done);
      } catch (err) {
        finish(() => reject(err));
      } finally {
        checking = false;
      }
    };
    const onAbort = () => finish(() => reject(signal?.reason ?? new Error('aborted')));

    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    try {
      watcher = fs.watch(exitDir, (_event, name) => {
        if (!name || name.toString() === id) void check();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
    timer = setInterval(() => void check(), pollMs);
    void check();
  });
}
