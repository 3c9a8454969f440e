import { nextBackoff } from './restart-policy';

/**
 * When a container that exited comes back: dockerd's restart manager with
 * its backoff (100 ms doubling to a minute, back to 100 ms after a run of
 * 10 s or more), and the mark that the next exit must not restart it
 * (dockerd's ExitOnNext, set by stop and kill).
 */
export class RestartSchedule {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly backoff = new Map<string, number>();
  private readonly exitOnNext = new Set<string>();
  private closed = false;

  /** The next exit of `id` must not restart it. */
  preventNext(id: string): void {
    this.exitOnNext.add(id);
  }

  /** A fresh start: its exit follows the policy again. */
  allowNext(id: string): void {
    this.exitOnNext.delete(id);
  }

  isPrevented(id: string): boolean {
    return this.exitOnNext.has(id);
  }

  /** Whether the exit now being handled was marked not to restart; the mark is used up. */
  takePrevented(id: string): boolean {
    const had = this.exitOnNext.has(id);
    this.exitOnNext.delete(id);
    return had;
  }

  /** After close() nothing restarts: the service is going down, containers keep running. */
  get closing(): boolean {
    return this.closed;
  }

  /** Runs `restart` after the backoff for a container that ran `ranMs`; the delay chosen. */
  schedule(id: string, ranMs: number, restart: () => void): number {
    this.cancel(id);
    const delay = nextBackoff(this.backoff.get(id) ?? 0, ranMs);
    this.backoff.set(id, delay);
    this.timers.set(id, setTimeout(() => {
      this.timers.delete(id);
      restart();
    }, delay));
    return delay;
  }

  /** Drops a pending restart; false when none was pending. */
  cancel(id: string): boolean {
    const t = this.timers.get(id);
    if (!t) return false;
    clearTimeout(t);
    this.timers.delete(id);
    return true;
  }

  /** The container is gone. */
  forget(id: string): void {
    this.cancel(id);
    this.backoff.delete(id);
    this.exitOnNext.delete(id);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
