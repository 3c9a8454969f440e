import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { redactRedisUrl, redisSettings } from '@berth/config';
import { pollUntil } from './health';
import { ChildSpec, SupervisedProcess } from './supervisor';

export interface PrivateRedisOptions {
  dataRoot: string;
  runRoot: string;
  /** redis-server binary; found on PATH by default. */
  binary?: string;
  logLevel?: string;
  pidFile?: string;
}

/** The private Redis's own directory in the run root: its socket's only way in, the launcher's user's only. */
export function privateRedisRunDir(runRoot: string): string {
  return path.join(runRoot, 'redis');
}

export function privateRedisSocket(runRoot: string): string {
  return path.join(privateRedisRunDir(runRoot), 'redis.sock');
}

/** The URL services get when the launcher runs Redis itself. */
export function privateRedisUrl(runRoot: string): string {
  return `unix://${privateRedisSocket(runRoot)}`;
}

/**
 * redis-server reachable only through a unix socket (0600, in a 0700
 * directory: whoever can write to Redis can queue jobs for the services) in the run root, with
 * its append-only file in `<dataRoot>/redis` so queued jobs survive a restart.
 * No password: only the launcher's own user can connect to the socket (its
 * mode), and that user could read any password file the launcher wrote, so
 * a password would add a secret to leak (environments, logs) and no barrier.
 */
export function privateRedisSpec(opts: PrivateRedisOptions): ChildSpec {
  const dir = path.join(opts.dataRoot, 'redis');
  return {
    name: 'redis',
    command: opts.binary ?? 'redis-server',
    args: [
      '--port', '0',
      '--unixsocket', privateRedisSocket(opts.runRoot),
      '--unixsocketperm', '600',
      '--dir', dir,
      '--appendonly', 'yes',
      '--save', '',
      '--daemonize', 'no',
      '--loglevel', opts.logLevel === 'debug' ? 'verbose' : 'warning',
    ],
    env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' },
    cwd: dir,
    pidFile: opts.pidFile,
  };
}

export function startPrivateRedis(opts: PrivateRedisOptions, sink?: (line: string) => void): SupervisedProcess {
  const spec = privateRedisSpec(opts);
  fs.mkdirSync(spec.cwd!, { recursive: true, mode: 0o700 });
  const runDir = privateRedisRunDir(opts.runRoot);
  fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  // An existing directory keeps its mode through mkdir; umask can only narrow a new one.
  fs.chmodSync(runDir, 0o700);
  // A socket left by a killed predecessor would answer nothing; redis replaces it anyway.
  fs.rmSync(privateRedisSocket(opts.runRoot), { force: true });
  return SupervisedProcess.start(spec, sink);
}

/** One PING over a fresh connection that does not retry on its own. */
export async function pingRedis(url: string, timeoutMs: number): Promise<boolean> {
  const client = new Redis({ ...redisSettings(url), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  client.on('error', () => { /* reported through the rejected promise */ });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

export function waitForRedis(url: string, deadline: number, signal?: AbortSignal): Promise<void> {
  // The label ends up in error messages and logs: never with a password.
  return pollUntil(`redis ${redactRedisUrl(url)}`, (timeoutMs) => pingRedis(url, timeoutMs), deadline, signal);
}
