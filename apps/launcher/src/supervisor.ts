import { ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from '@berth/logging';
import { writePidFile } from '@berth/host';
import { removePidFile } from './pidfiles';

export interface ChildSpec {
  /** Short name used in logs and the pid file: `volume`, `gateway`, `redis`... */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written once the process runs, removed when it ends. */
  pidFile?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT...). */
  error?: Error;
}

export function describeExit(exit: ExitInfo): string {
  if (exit.error) return exit.error.message;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/**
 * Copies a child's output to `sink` one line at a time. JSON lines (the
 * services' own logs) pass unchanged; anything else (redis-server's log, a
 * crash trace) is wrapped into the same JSON shape so the launcher's stderr
 * stays one JSON object per line.
 */
export function forwardLines(stream: Readable, component: string, level: 'info' | 'error', sink: (line: string) => void): void {
  let pending = '';
  const emit = (line: string) => {
    if (line.trim() === '') return;
    if (line.startsWith('{') && line.endsWith('}')) {
      try {
        JSON.parse(line);
        sink(line + '\n');
        return;
      } catch { /* not JSON after all: wrap it below */ }
    }
    sink(JSON.stringify({ time: new Date().toISOString(), level, component, msg: line }) + '\n');
  };
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      emit(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (pending) emit(pending);
    pending = '';
  });
}

/**
 * One child process of the launcher. `exited` settles when it ends for any
 * reason; `expected` tells the owner whether that end was asked for.
 */
export class SupervisedProcess {
  readonly name: string;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly pidFile?: string;
  private exitInfo?: ExitInfo;
  private stopRequested = false;

  private constructor(spec: ChildSpec, sink: (line: string) => void) {
    this.name = spec.name;
    this.pidFile = spec.pidFile;
    this.child = spawn(spec.command, spec.args, {
      env: spec.env,
      cwd: spec.cwd,
      // stdin is ignored: the launcher's stdin belongs to the launcher alone.
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a Ctrl-C in the terminal reaches only the launcher,
      // which then stops the children in order.
      detached: true,
    });
    forwardLines(this.child.stdout!, spec.name, 'info', sink);
    forwardLines(this.child.stderr!, spec.name, 'error', sink);
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once('error', (error) => {
        // 'error' without a pid means spawn failed and 'exit' will never come.
        if (this.child.pid === undefined) this.finish({ code: null, signal: null, error }, resolve);
      });
      this.child.once('exit', (code, signal) => this.finish({ code, signal }, resolve));
    });
    if (this.child.pid !== undefined && this.pidFile) writePidFile(this.pidFile, this.child.pid);
  }

  static start(spec: ChildSpec, sink: (line: string) => void = (l) => process.stderr.write(l)): SupervisedProcess {
    return new SupervisedProcess(spec, sink);
  }

  private finish(info: ExitInfo, resolve: (info: ExitInfo) => void): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    if (this.pidFile && this.child.pid !== undefined) removePidFile(this.pidFile, this.child.pid);
    resolve(info);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** True once stop() or kill() was called: the exit that follows is not a crash. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /** SIGTERM, then SIGKILL if the process is still there after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<ExitInfo> {
    this.stopRequested = true;
    if (!this.running) return this.exitInfo!;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }

  /** Immediate SIGKILL, for a second Ctrl-C. */
  kill(): void {
    this.stopRequested = true;
    if (this.running) this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      this.child.kill(sig);
    } catch { /* already gone */ }
  }
}

/** Logs a child's exit in the launcher's own log. */
export function logExit(logger: Logger, proc: SupervisedProcess, exit: ExitInfo): void {
  const fields = { service: proc.name, pid: proc.pid, code: exit.code, signal: exit.signal };
  if (proc.stopping) logger.info('stopped', fields);
  else logger.error(`${proc.name} ${describeExit(exit)}`, fields);
}
