import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ConmonAttachment } from '../attach/conmon-attach';
import { CONMON_BINARY, MAX_SOCKET_PATH, readExitCode } from '../runtime/conmon';
import { RUNC_BINARY, RuncError } from '../runtime/runc';
import type { ExecProcessSpec } from './exec-spec';

/*
 * conmon's exec mode, as verified on this machine (conmon 2.1.6, runc 1.1.5):
 *
 * - `conmon --api-version --exec --exec-attach --exec-process-spec F --cid C --cuuid E -b DIR
 *   --socket-dir-path S ...` with _OCI_SYNCPIPE/_OCI_STARTPIPE/_OCI_ATTACHPIPE naming fds 3/4/5
 *   (`--api-version` is a flag in 2.1.6; podman's trailing "1" is ignored).
 * - conmon blocks on a first write to the start pipe, then forks its daemon (the launcher exits 0
 *   at once), creates `S/E` -> DIR with `attach` (SOCK_SEQPACKET), `ctl` and `winsz` in DIR, and
 *   writes `{"data": 0}` to the attach pipe. Its runtime child waits for a second write to the
 *   start pipe before it runs `runc exec --detach --pid-file P --process F [--tty] C`: anyone who
 *   connects to `attach` in between sees every byte of output.
 * - The sync pipe then carries `{"data": <host pid>}` and, at exit, `{"data": <exit code>}`
 *   (both may arrive in one read). When runc exec fails it carries
 *   `{"data": -1, "message": "time=... level=error msg=\"exec failed: ...\"\n"}` and conmon
 *   exits without an exit file.
 * - The attach socket works as for containers (attach/conmon-attach.ts; a TTY's output is all
 *   stdout). Packets we write go to the process's stdin (with `-i`); conmon drops what does not
 *   fit its read buffer (a 100000-byte packet reached `wc -c` as 32768), so ConmonAttachment
 *   splits writes. Half-closing the socket closes the process's stdin after what was written
 *   (`cat` sees EOF and exits).
 * - The exit file is `<exit-dir>/<cid>`, the CONTAINER's id: each exec gets its own exit dir.
 * - `ctl` takes `1 <height> <width>\n` to resize the TTY (verified with `stty size`);
 *   `process.consoleSize` sets the size it starts with.
 * - When conmon exits on a failed exec node-unix-socket may report EBADF as an error.
 */

/** How long output may trail the exit code (conmon closes the socket just before it reports). */
const OUTPUT_GRACE_MS = 2000;

export interface ConmonExecOptions {
  containerId: string;
  execId: string;
  /** runc's state root. */
  runcRoot: string;
  /** The exec's own directory: process.json, pid file, exit dir; conmon puts attach, ctl and winsz here. */
  dir: string;
  /** conmon links `<socketDir>/<execId>` to `dir`, keeping the attach socket's path short. */
  socketDir: string;
  process: ExecProcessSpec;
  /** Give the process a stdin pipe (`-i`). */
  stdin: boolean;
  conmonBinary?: string;
  runtimeBinary?: string;
}

export class ExecStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecStartError';
  }
}

interface SyncMessage { data: number; message?: string }

/** Splits the sync pipe's newline-separated JSON messages. */
function syncReader(stream: Readable, onMessage: (m: SyncMessage) => void, onEnd: () => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      try {
        onMessage(JSON.parse(line) as SyncMessage);
      } catch {
        // not ours to interpret
      }
    }
  });
  stream.on('error', () => undefined);
  stream.on('close', onEnd);
}

/** runc writes logfmt on stderr; conmon hands it over as the message: keep the msg parts. */
export function runtimeMessage(message: string | undefined): string {
  return RuncError.messageOf(message ?? '').replace(/\\\\/g, '\\').trim() || 'exec failed';
}

export function attachPath(socketDir: string, execId: string): string {
  return path.join(socketDir, execId, 'attach');
}

/**
 * One exec process under conmon. `launch` starts conmon and waits until its
 * attach socket is ready; `attach` connects to it; `start` lets runc exec
 * run. Output arrives as 'output' (stream 1 stdout, 2 stderr) events, then
 * 'end'; `exited` settles with the exit code.
 */
export class ConmonExec extends EventEmitter {
  private child?: ChildProcess;
  private syncPipe?: Readable;
  private startPipe?: Writable;
  private attachPipe?: Readable;
  private socket?: ConmonAttachment;
  private socketDone = false;
  private pidWaiter?: { resolve(pid: number): void; reject(err: Error): void };
  private exitResolve!: (code: number) => void;
  private exitReject!: (err: Error) => void;
  private settled = false;
  private cleaned = false;
  pid = 0;
  /** Settles when the process has exited (and conmon has reported the code). */
  readonly exited: Promise<number>;

  private constructor(private readonly o: ConmonExecOptions) {
    super();
    this.exited = new Promise<number>((resolve, reject) => {
      this.exitResolve = resolve;
      this.exitReject = reject;
    });
    // a caller that only awaits start() must not see an unhandled rejection
    this.exited.catch(() => undefined);
  }

  get exitDir(): string {
    return path.join(this.o.dir, 'exit');
  }

  get ctlPath(): string {
    return path.join(this.o.dir, 'ctl');
  }

  /** Starts conmon; resolves once its attach socket is listening (nothing runs in the container yet). */
  static async launch(o: ConmonExecOptions): Promise<ConmonExec> {
    const socket = attachPath(o.socketDir, o.execId);
    if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) throw new Error(`attach socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes`);
    const e = new ConmonExec(o);
    await fs.promises.mkdir(e.exitDir, { recursive: true });
    await fs.promises.mkdir(o.socketDir, { recursive: true });
    const specFile = path.join(o.dir, 'process.json');
    await fs.promises.writeFile(specFile, JSON.stringify(o.process));
    const args = [
      '--api-version',
      '--exec', '--exec-attach', '--exec-process-spec', specFile,
      '--cid', o.containerId,
      '--cuuid', o.execId,
      '--name', o.execId,
      '--runtime', o.runtimeBinary ?? RUNC_BINARY,
      '--runtime-arg', `--root=${o.runcRoot}`,
      '--bundle', o.dir,
      '--container-pidfile', path.join(o.dir, 'pid'),
      '--conmon-pidfile', path.join(o.dir, 'conmon.pid'),
      '--exit-dir', e.exitDir,
      // output goes to whoever is attached (docker keeps no log of execs)
      '--log-path', 'none',
      '--socket-dir-path', o.socketDir,
    ];
    if (o.process.terminal) args.push('--terminal');
    if (o.stdin) args.push('--stdin');
    const logFd = fs.openSync(path.join(o.dir, 'conmon.log'), 'a');
    try {
      e.child = spawn(o.conmonBinary ?? CONMON_BINARY, args, {
        stdio: ['ignore', logFd, logFd, 'pipe', 'pipe', 'pipe'],
        env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' },
        detached: true,
      });
    } finally {
      fs.closeSync(logFd);
    }
    e.syncPipe = e.child.stdio[3] as Readable;
    e.startPipe = e.child.stdio[4] as Writable;
    e.attachPipe = e.child.stdio.at(5) as Readable;
    e.startPipe.on('error', () => undefined);
    e.attachPipe.on('error', () => undefined);
    const launched = new Promise<void>((resolve, reject) => {
      e.child!.once('error', reject);
      e.child!.once('exit', (code) => {
        if (code !== 0) reject(new Error(`conmon exited with ${code}: ${readTail(path.join(o.dir, 'conmon.log'))}`));
      });
      e.attachPipe!.once('data', () => resolve());
      e.attachPipe!.once('close', () => reject(new Error(`conmon did not set up the attach socket: ${readTail(path.join(o.dir, 'conmon.log'))}`)));
    });
    syncReader(e.syncPipe, (m) => e.onSync(m), () => void e.onSyncEnd());
    // the first write lets conmon go on (podman moves it into a cgroup before this)
    e.startPipe.write('0');
    try {
      await launched;
    } catch (err) {
      e.kill('SIGKILL');
      e.cleanup();
      throw err;
    }
    return e;
  }

  /** Connects to the attach socket: output from then on arrives as 'output' events. Call before start(). */
  async attach(): Promise<void> {
    try {
      this.socket = await ConmonAttachment.connect(attachPath(this.o.socketDir, this.o.execId), {
        output: (stream, data) => this.emit('output', stream, data),
        end: () => this.socketEnded(),
      });
    } catch (err) {
      this.socketDone = true;
      throw err;
    }
  }

  private socketEnded(): void {
    if (this.socketDone) return;
    this.socketDone = true;
    this.emit('end');
  }

  /** Lets runc exec run; resolves with the process's host pid, rejects with runc's reason. */
  start(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (this.pid > 0) return resolve(this.pid);
      this.pidWaiter = { resolve, reject };
      this.startPipe!.write('1');
      this.startPipe!.end();
    });
  }

  private onSync(m: SyncMessage): void {
    if (typeof m.data !== 'number') return;
    if (this.pid === 0) {
      if (m.data <= 0) {
        const err = new ExecStartError(runtimeMessage(m.message));
        this.pidWaiter?.reject(err);
        this.settle(undefined, err);
        return;
      }
      this.pid = m.data;
      this.pidWaiter?.resolve(m.data);
      return;
    }
    this.settle(m.data);
  }

  private async onSyncEnd(): Promise<void> {
    if (this.settled) return;
    // conmon went away without a second message: its exit file may still say how the process ended
    const code = await readExitCode(this.exitDir, this.o.containerId).catch(() => undefined);
    const err = new ExecStartError('exec failed: conmon exited unexpectedly');
    if (this.pid === 0) this.pidWaiter?.reject(err);
    this.settle(code, code === undefined ? err : undefined);
  }

  private settle(code: number | undefined, err?: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (!this.socketDone && err) {
      // conmon is gone: no more output will come
      this.socket?.close();
      this.socketEnded();
    }
    if (err) this.exitReject(err);
    else this.exitResolve(code!);
  }

  /**
   * The exit code once the process exited and, when attached, all its output
   * was delivered. conmon sends the output before the code; the two arrive on
   * different fds, so wait for both (but not forever for the socket).
   */
  async finished(): Promise<number> {
    const code = await this.exited;
    if (this.socket && !this.socketDone) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.socket?.close();
          this.socketEnded();
        }, OUTPUT_GRACE_MS);
        this.once('end', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return code;
  }

  /** Bytes for the process's stdin (needs `stdin` and attach()); false when it is full: wait for onDrain. */
  write(data: Buffer): boolean {
    if (!this.socket || this.socketDone) return true;
    // ConmonAttachment splits it into packets conmon reads whole
    return this.socket.write(data);
  }

  /** Runs `fn` once the process's stdin takes more (at once when there is none). */
  onDrain(fn: () => void): void {
    if (!this.socket || this.socketDone) queueMicrotask(fn);
    else this.socket.onDrain(fn);
  }

  /** Half-closes the attach socket: conmon closes the process's stdin once what was written is in. */
  closeStdin(): void {
    if (!this.socket || this.socketDone) return;
    try {
      this.socket.closeStdin();
    } catch {
      // already closed
    }
  }

  /** Sets the TTY's size through conmon's ctl FIFO. */
  async resize(height: number, width: number): Promise<void> {
    // O_NONBLOCK: with conmon gone there is no reader and a plain open would hang
    const fh = await fs.promises.open(this.ctlPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    try {
      await fh.write(`1 ${height} ${width}\n`);
    } finally {
      await fh.close();
    }
  }

  /** Signals the process itself (its host pid). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.pid <= 0 || this.settled) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone
    }
  }

  /** Drops our ends of conmon's pipes and the exec's files. */
  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    this.socket?.close();
    this.syncPipe?.destroy();
    this.startPipe?.destroy();
    this.attachPipe?.destroy();
    // conmon removes its socket link on a normal exit, not when runc exec failed
    fs.rmSync(path.join(this.o.socketDir, this.o.execId), { force: true });
    fs.rmSync(this.o.dir, { recursive: true, force: true });
  }
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join('; ');
  } catch {
    return '';
  }
}
