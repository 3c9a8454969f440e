import { spawn, spawnSync, type SpawnOptions, type StdioOptions } from 'node:child_process';

export interface CommandOptions {
  /** Written to the program's stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Buffer;
  /** Sends `killSignal` once the program has run this long; the failure says it timed out. */
  timeoutMs?: number;
  killSignal?: NodeJS.Signals;
  /** The program's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How stdout is decoded (default utf8; latin1 keeps every byte as one character). stderr is always utf8. */
  encoding?: BufferEncoding;
  /** Most bytes kept of stdout and of stderr; more kills the program (default 64 MiB). */
  maxBuffer?: number;
  /** Resolve with the result whatever the exit status (default: anything but exit 0 rejects). */
  allowFailure?: boolean;
  /**
   * Both stdout and stderr go to this open file descriptor, and the run ends
   * when the program exits: for programs that daemonise, whose daemon would
   * keep a pipe open long after the program itself is done (conmon).
   */
  outputFd?: number;
  /** Runs the program in its own process group (a terminal's Ctrl-C does not reach it). */
  detached?: boolean;
}

export interface CommandResult {
  /** null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

/**
 * A program that could not be started, exited non-zero, was killed or timed
 * out. The message is `<file> <args>: <detail>`, the detail being the
 * program's stderr when it wrote any: that is what callers show and match on.
 */
export class CommandError extends Error {
  /** The program's stderr (trimmed) or, when it wrote none, how it ended. */
  readonly detail: string;

  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly result: CommandResult,
    readonly spawnError?: { errno?: string; message: string },
    readonly timedOut = false,
  ) {
    const detail = CommandError.detailOf(result, spawnError, timedOut);
    super(`${[file, ...args].join(' ')}: ${detail}`);
    this.name = 'CommandError';
    this.detail = detail;
  }

  get exitCode(): number | null {
    return this.result.exitCode;
  }

  get stderr(): string {
    return this.result.stderr;
  }

  get stdout(): string {
    return this.result.stdout;
  }

  /** The system error that kept the program from running (`ENOENT`: no such program), if that was the failure. */
  get errno(): string | undefined {
    return this.spawnError?.errno;
  }

  private static detailOf(r: CommandResult, spawnError: { message: string } | undefined, timedOut: boolean): string {
    const stderr = r.stderr.trim();
    if (stderr !== '') return stderr;
    if (spawnError) return spawnError.message;
    if (timedOut) return 'timed out';
    if (r.signal) return `killed by ${r.signal}`;
    return `exit status ${r.exitCode}`;
  }
}

function stdioFor(opts: CommandOptions): StdioOptions {
  const stdin = opts.input !== undefined ? 'pipe' : 'ignore';
  return opts.outputFd !== undefined ? [stdin, opts.outputFd, opts.outputFd] : [stdin, 'pipe', 'pipe'];
}

/**
 * Runs a program (no shell) to its end and collects its output. Rejects with
 * a CommandError unless it exits 0 (or `allowFailure` is set).
 */
export function runCommand(file: string, args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { env: opts.env, cwd: opts.cwd, stdio: stdioFor(opts), detached: opts.detached };
    const child = spawn(file, [...args], spawnOptions);
    const maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let overflow = false;
    let timedOut = false;
    let settled = false;
    const collect = (into: Buffer[], chunk: Buffer, isOut: boolean): void => {
      const size = (isOut ? (outBytes += chunk.length) : (errBytes += chunk.length));
      if (size > maxBuffer) {
        overflow = true;
        child.kill('SIGKILL');
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on('data', (c: Buffer) => collect(out, c, true));
    child.stderr?.on('data', (c: Buffer) => collect(err, c, false));
    const timer = opts.timeoutMs !== undefined
      ? setTimeout(() => {
        timedOut = true;
        child.kill(opts.killSignal ?? 'SIGTERM');
      }, opts.timeoutMs)
      : undefined;
    const result = (code: number | null, signal: NodeJS.Signals | null): CommandResult => ({
      exitCode: code,
      signal,
      stdout: Buffer.concat(out).toString(opts.encoding ?? 'utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const r = result(code, signal);
      if (overflow) reject(new CommandError(file, args, r, { message: `output over ${maxBuffer} bytes` }));
      else if (timedOut) reject(new CommandError(file, args, r, undefined, true));
      else if (code !== 0 && !opts.allowFailure) reject(new CommandError(file, args, r));
      else resolve(r);
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      // Without a pid the program never ran, and neither 'exit' nor 'close' follows.
      if (child.pid !== undefined || settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(new CommandError(file, args, result(null, null), { errno: e.code, message: e.message }));
    });
    if (opts.outputFd !== undefined) child.once('exit', finish);
    else child.once('close', finish);
    if (child.stdin) {
      // A program may exit without reading all of its input: its exit status tells, not EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** runCommand for the few places that cannot wait (a helper process setting up its mounts). `outputFd` and `detached` are not offered. */
export function runCommandSync(file: string, args: readonly string[], opts: Omit<CommandOptions, 'outputFd' | 'detached'> = {}): CommandResult {
  const r = spawnSync(file, [...args], {
    input: opts.input,
    env: opts.env,
    cwd: opts.cwd,
    timeout: opts.timeoutMs,
    killSignal: opts.killSignal,
    maxBuffer: opts.maxBuffer ?? DEFAULT_MAX_BUFFER,
    stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const result: CommandResult = {
    exitCode: r.status,
    signal: r.signal,
    stdout: r.stdout ? r.stdout.toString(opts.encoding ?? 'utf8') : '',
    stderr: r.stderr ? r.stderr.toString('utf8') : '',
  };
  const e = r.error as NodeJS.ErrnoException | undefined;
  if (e) {
    if (e.code === 'ETIMEDOUT') throw new CommandError(file, args, result, undefined, true);
    throw new CommandError(file, args, result, { errno: e.code, message: e.message });
  }
  if (r.status !== 0 && !opts.allowFailure) throw new CommandError(file, args, result);
  return result;
}
