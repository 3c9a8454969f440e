import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The real Docker CLI the end-to-end tests drive. */
export const DOCKER_BIN = process.env.BERTH_TEST_DOCKER || '/usr/local/bin/docker';

export interface DockerTarget {
  /** DOCKER_HOST, e.g. `unix:///tmp/berth-x/run/berth.sock`. */
  host: string;
  /** DOCKER_CONFIG: credentials and settings of this test only. */
  configDir: string;
}

export interface DockerOptions {
  /** Written to the CLI's stdin, which is then closed. */
  input?: string | Buffer;
  /** Killed with SIGKILL after this long (default 120 s). */
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
}

export interface CommandResult {
  /** Exit code; 128 + signal number when killed, as a shell reports it. */
  code: number;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** The CLI's environment: only this target, nothing from the developer's own Docker set-up. */
export function dockerEnv(target: DockerTarget, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DOCKER_')) env[k] = v;
  return { ...env, DOCKER_HOST: target.host, DOCKER_CONFIG: target.configDir, DOCKER_CLI_HINTS: 'false', ...extra };
}

/** Starts the CLI and leaves it running (events, logs -f, attach); the caller ends it. */
export function spawnDocker(target: DockerTarget, args: string[], opts: Omit<DockerOptions, 'input' | 'timeoutMs'> = {}): ChildProcess {
  return spawn(DOCKER_BIN, args, { env: dockerEnv(target, opts.env), cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
}

const SIGNALS = os.constants.signals as Record<string, number>;

/** Runs the CLI to completion and collects what it printed. */
export function dockerCli(target: DockerTarget, args: string[], opts: DockerOptions = {}): Promise<CommandResult> {
  fs.mkdirSync(target.configDir, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawnDocker(target, args, opts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.stdin!.on('error', () => { /* the CLI may exit before reading its input */ });
    child.stdin!.end(opts.input);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      resolve({
        code: code ?? 128 + (sig ? SIGNALS[sig] ?? 0 : 0),
        signal: sig,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** A fresh, empty DOCKER_CONFIG directory. */
export function tempDockerConfig(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-'));
}
