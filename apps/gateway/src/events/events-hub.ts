import type Redis from 'ioredis';
import { StoredEvent, lastEventId, readAfter, compareStreamIds } from '@berth/events';
import type { Logger } from '@berth/logging';

type Listener = (event: StoredEvent) => void;

/**
 * One blocking reader of the events stream per gateway, fanned out to every
 * `GET /events` follower, so followers cost no Redis connection each.
 */
export class EventsHub {
  private readonly listeners = new Set<Listener>();
  private lastId: string | undefined;
  private running = false;
  private baseline: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly blocking: Redis, private readonly commands: Redis, private readonly logger: Logger) {}

  /**
   * Registers a listener and resolves once the hub reads live from a point no
   * later than now: whatever a replay started after this returns has no gap
   * with what the listener receives.
   */
  async subscribe(listener: Listener): Promise<() => void> {
    this.listeners.add(listener);
    if (!this.running) this.start();
    await this.baseline;
    return () => { this.listeners.delete(listener); };
  }

  get followerCount(): number { return this.listeners.size; }

  private start(): void {
    this.running = true;
    this.baseline = (async () => { this.lastId = await lastEventId(this.commands); })();
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      await this.baseline;
      while (!this.stopped && this.listeners.size > 0) {
        let batch: StoredEvent[];
        try {
          batch = await readAfter(this.blocking, this.lastId ?? '$', 2000);
        } catch (err) {
          if (this.stopped) break;
          this.logger.warn('events stream read failed', { error: err instanceof Error ? err.message : String(err) });
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const entry of batch) {
          if (this.lastId && compareStreamIds(entry.id, this.lastId) <= 0) continue;
          this.lastId = entry.id;
          for (const l of [...this.listeners]) {
            try { l(entry); } catch (err) { this.logger.warn('event listener failed', { error: String(err) }); }
          }
        }
      }
    } finally {
      this.running = false;
      this.baseline = undefined;
      if (!this.stopped && this.listeners.size > 0) this.start();
    }
  }

  stop(): void {
    this.stopped = true;
    this.listeners.clear();
  }
}
