import * as fs from 'node:fs';

/** How often a follower looks again without being told (a missed inotify event, another replica's container). */
export const FOLLOW_POLL_MS = 500;

/**
 * Wakes a log follower when the file may have grown, the container may have
 * stopped, the poll interval passed, or the reader was cancelled. One inotify
 * watch for the whole follow; everything is released by close().
 */
export class LogGrowth {
  private watcher: fs.FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  private closed = false;
  private readonly onAbort = () => this.fire();

  constructor(file: string, private readonly signal: AbortSignal | undefined, private readonly pollMs = FOLLOW_POLL_MS) {
    try {
      this.watcher = fs.watch(file, { persistent: false }, () => this.fire());
      this.watcher.on('error', () => { this.watcher?.close(); this.watcher = undefined; });
    } catch {
      // The file may not exist yet, or inotify may be out of watches: polling still works.
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Something happened (new data, an exit notice): the next wait() returns at once. */
  fire(): void {
    this.pending = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves at the next event or after the poll interval, whichever is first. */
  wait(): Promise<void> {
    if (this.pending || this.closed || this.signal?.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.pending = false;
        resolve();
      };
      this.timer = setTimeout(() => this.fire(), this.pollMs);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.fire();
  }
}
