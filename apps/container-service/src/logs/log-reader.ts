import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { K8sLogDecoder, LogFilter } from './k8s-decoder';
import { DEFAULT_CHUNK_SIZE, LogEncoder } from './log-encoder';
import { LogGrowth } from './log-growth';
import { tailOffset } from './log-tail';
import { compareLogTime } from './k8s-timestamp';

export interface LogReadOptions extends LogFilter {
  /** Lines from the end; negative means all, 0 none (with follow: only what comes next). */
  tail: number;
  /** Docker's 8-byte frames (a container without a TTY) or raw bytes (with one). */
  multiplexed: boolean;
  /** Target size of each chunk handed out; default 128 KiB. */
  chunkSize?: number;
}

/** How a follower learns that the container stopped. */
export interface LogFollower {
  /** Whether the container still runs; follow ends once it doesn't and the log is drained. */
  running(): boolean | Promise<boolean>;
  /** Resolves at the next exit notice; the wait is dropped when `signal` aborts. */
  exited(signal: AbortSignal): Promise<void>;
}

const READ_SIZE = 256 * 1024;

async function openIfExists(file: string): Promise<FileHandle | undefined> {
  try {
    return await fs.promises.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Reads conmon's k8s-file log as Docker log output, in chunks ready to send.
 * With a `follow`er it goes on after the end until the container stops (then
 * drains what is left) or a line after `until` appears. `signal` cancels at any
 * point, waits included; breaking out of the loop releases everything too.
 */
export async function* readK8sLog(file: string, options: LogReadOptions, follow?: LogFollower, signal?: AbortSignal): AsyncGenerator<Buffer, void, undefined> {
  const ready: Buffer[] = [];
  const encoder = new LogEncoder(options.multiplexed, (chunk) => ready.push(chunk), options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const decoder = new K8sLogDecoder(options, encoder);
  let fh: FileHandle | undefined;
  let growth: LogGrowth | undefined;
  const stopExits = new AbortController();
  let buf = Buffer.allocUnsafe(READ_SIZE);
  let have = 0;
  let pos = 0;

  /** Reads and decodes from `pos` up to `limit` (or the current end), handing out chunks as they fill. */
  async function* drain(limit = Infinity): AsyncGenerator<Buffer, void, undefined> {
    if (!fh) return;
    while (pos < limit && !decoder.stopped && !signal?.aborted) {
      if (have === buf.length) {
        // One record longer than the buffer (not from conmon, which splits at 8 KiB): grow.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const want = Math.min(buf.length - have, limit - pos);
      const { bytesRead } = await fh.read(buf, have, want, pos);
      if (bytesRead === 0) {
        // Truncated under us (a log cleared by hand): start again from its beginning.
        if ((await fh.stat()).size < pos) { pos = 0; have = 0; continue; }
        return;
      }
      pos += bytesRead;
      have += bytesRead;
      const used = decoder.feed(buf, 0, have);
      if (used > 0) {
        buf.copy(buf, 0, used, have);
        have -= used;
      }
      while (ready.length > 0) yield ready.shift()!;
    }
  }

  function* flush(): Generator<Buffer, void, undefined> {
    encoder.flush();
    while (ready.length > 0) yield ready.shift()!;
  }

  try {
    fh = await openIfExists(file);
    const size = fh ? (await fh.stat()).size : 0;
    if (fh && options.tail >= 0) pos = await tailOffset(fh, size, options.tail);
    const following = follow !== undefined && await follow.running();
    // Without follow, what was there at the start is the answer: a busy writer cannot keep it going.
    yield* drain(following ? Infinity : size);
    if (!following || !follow || decoder.stopped) {
      yield* flush();
      return;
    }

    growth = new LogGrowth(file, signal);
    const g = growth;
    // Anything written between the drain above and the watch is picked up by a first pass at once.
    g.fire();
    const armExit = (): void => {
      follow.exited(stopExits.signal).then(() => {
        g.fire();
        if (!stopExits.signal.aborted) armExit();
      }, () => undefined);
    };
    armExit();
    const until = options.until;
    for (;;) {
      yield* flush();
      if (signal?.aborted) return;
      await growth.wait();
      if (signal?.aborted) return;
      // Asked before reading: whatever the container wrote before it stopped is then in the file.
      const alive = await follow.running();
      const pastUntil = until !== undefined && compareLogTime({ sec: Date.now() / 1000, nsec: 0 }, until) > 0;
      fh ??= await openIfExists(file);
      yield* drain();
      if (!alive || pastUntil || decoder.stopped) break;
    }
    if (!signal?.aborted) yield* flush();
  } finally {
    stopExits.abort();
    growth?.close();
    await fh?.close().catch(() => undefined);
  }
}
