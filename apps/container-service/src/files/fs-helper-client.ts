import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CONTROL_FD, type HelperErrorKind, type HelperMessage, type HelperRequest } from './fs-helper-protocol';
import type { PathStatJson } from './path-stat';

/** A failure the helper reported (or its death), with how dockerd would answer it. */
export class HelperFailure extends Error {
  constructor(readonly kind: HelperErrorKind, message: string) {
    super(message);
    this.name = 'HelperFailure';
  }
}

export interface HelperRun {
  /** The path's stat, once the helper has it (stat and archive); rejects with the helper's failure. */
  stat: Promise<PathStatJson>;
  /** The tar (archive); ends when the helper closes it. */
  stdout: Readable | null;
  /** The tar to extract (extract). */
  stdin: Writable | null;
  /** Settles when the helper has exited: resolved on success, else a HelperFailure. */
  finished: Promise<void>;
  /** Stops the helper at once (the client went away); its mounts go with it. */
  kill(): void;
}

export interface HelperOptions {
  onWarning?: (message: string) => void;
  /** For tests: the script to run (default: the compiled fs-helper next to this file). */
  script?: string;
}

const STDERR_KEEP = 4096;

/**
 * Starts the fs helper in a private mount namespace (`unshare --mount`,
 * private propagation so nothing it mounts reaches the host) and follows
 * its control channel on fd 3.
 */
export function startHelper(req: HelperRequest, opts: HelperOptions = {}): HelperRun {
  const script = opts.script ?? path.join(__dirname, 'fs-helper.js');
  const wantsInput = req.op === 'extract';
  const wantsOutput = req.op === 'archive' || req.op === 'export';
  const child: ChildProcess = spawn('unshare', ['--mount', '--propagation', 'private', '--', process.execPath, script, JSON.stringify(req)], {
    stdio: [wantsInput ? 'pipe' : 'ignore', wantsOutput ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });

  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-STDERR_KEEP);
  });
  // The helper may exit before reading all its input (an early error): not our failure to report.
  child.stdin?.on('error', () => undefined);

  let final: HelperMessage | undefined;
  let resolveStat!: (s: PathStatJson) => void;
  let rejectStat!: (e: Error) => void;
  const stat = new Promise<PathStatJson>((res, rej) => { resolveStat = res; rejectStat = rej; });
  stat.catch(() => undefined);

  const control = child.stdio[CONTROL_FD] as Readable;
  let pending = '';
  control.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim() === '') continue;
      const msg = JSON.parse(line) as HelperMessage;
      if (msg.type === 'stat') resolveStat(msg.stat);
      else if (msg.type === 'warning') opts.onWarning?.(msg.message);
      else {
        final = msg;
        if (msg.type === 'error') rejectStat(new HelperFailure(msg.kind, msg.message));
      }
    }
  });

  const finished = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => {
      const failure = new HelperFailure('internal', `cannot start the fs helper: ${err.message}`);
      rejectStat(failure);
      reject(failure);
    });
    child.on('close', (code, signal) => {
      let failure: HelperFailure | undefined;
      if (final?.type === 'error') failure = new HelperFailure(final.kind, final.message);
      else if (code !== 0 || final?.type !== 'done') {
        failure = new HelperFailure('internal', `fs helper ${signal ? `killed by ${signal}` : `exited with code ${code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
      }
      if (failure) {
        rejectStat(failure);
        reject(failure);
      } else {
        rejectStat(new HelperFailure('internal', 'fs helper sent no stat'));
        resolve();
      }
    });
  });
  finished.catch(() => undefined);

  return {
    stat,
    stdout: child.stdout ?? null,
    stdin: child.stdin ?? null,
    finished,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
