import { compareStreamIds, StoredEvent } from './reader';

/**
 * How far (in events) a follower may fall behind the live stream before it
 * is dropped: dockerd gives each subscriber a buffer of 1024 events
 * (daemon/events, bufferSize). Past it dockerd drops events for that
 * subscriber; a stream with holes in it is worse than none, so a Berth
 * follower is disconnected instead, and whatever it had queued is freed.
 */
export const MAX_EVENTS_BEHIND = 1024;

/** Where a follower's events go: the client's response. */
export interface EventOutput {
  /** Writes one event (the output filters and formats it); false when the client is full. */
  write(entry: StoredEvent): boolean;
  /**
   * Sends what write() may have gathered (an output may batch lines into
   * fewer, larger writes); false when the client is full. Called at the end
   * of each page and whenever the follower is about to wait for events.
   */
  flush?(): boolean;
  /** Resolves once the client takes more, or when it went away (the follower is closed then). */
  drained(): Promise<void>;
}

/** Where the events come from: stored ranges and the live stream. */
export interface EventSource {
  pages(sinceNano: number, untilNano: number | undefined): AsyncIterable<StoredEvent[]>;
  /** Follows live events; resolves once following from a point no later than now. */
  subscribe(listener: (entry: StoredEvent) => void): Promise<() => void>;
}

export interface FollowOptions {
  sinceNano?: number;
  untilNano?: number;
  /** Now, in nanoseconds: an `until` before it ends the stream after the replay. */
  nowNano: number;
  maxBehind?: number;
}

/** Why a follow ended: `done` (replay over, or `until` reached), `evicted` (fell behind), `closed` (the client left). */
export type FollowEnd = 'done' | 'evicted' | 'closed';

/**
 * One `GET /events` client: replays the stored range page by page, waiting
 * for the client to drain before the next page, then follows live events.
 * Live events arriving meanwhile queue up; more than `maxBehind` of them
 * evicts the follower. Whatever reaches the output is in stream order, with
 * no duplicate between the replay and the live part.
 */
export class EventFollower {
  private readonly queue: StoredEvent[] = [];
  private lastSent = '0-0';
  private ending: FollowEnd | undefined;
  private wake: (() => void) | undefined;
  private readonly maxBehind: number;
  private stop!: () => void;
  /** Settles when the follow ends, whatever it was waiting for. */
  private readonly stopped = new Promise<void>((resolve) => { this.stop = resolve; });

  constructor(private readonly source: EventSource, private readonly out: EventOutput, private readonly opts: FollowOptions) {
    this.maxBehind = opts.maxBehind ?? MAX_EVENTS_BEHIND;
  }

  /** How many live events wait for the client. */
  get behind(): number { return this.queue.length; }

  /** The client went away. */
  close(): void { this.end('closed'); }

  async run(): Promise<FollowEnd> {
    const { sinceNano, untilNano, nowNano } = this.opts;
    const onlyPast = untilNano !== undefined && untilNano < nowNano;
    let unsubscribe: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!onlyPast) unsubscribe = await this.source.subscribe((entry) => this.enqueue(entry));
      if (sinceNano !== undefined || untilNano !== undefined) {
        for await (const page of this.source.pages(sinceNano ?? 0, untilNano)) {
          for (const entry of page) {
            if (!this.emit(entry)) await this.waitForClient();
            if (this.ending !== undefined) return this.ending;
          }
          if (!this.flush()) await this.waitForClient();
          if (this.ending !== undefined) return this.ending;
        }
      }
      if (onlyPast) return this.end('done');
      if (untilNano !== undefined) timer = setTimeout(() => this.end('done'), Math.max(0, (untilNano - Date.now() * 1e6) / 1e6));
      while (this.ending === undefined) {
        const entry = this.queue.shift();
        if (entry === undefined) {
          if (!this.flush()) await this.waitForClient();
          if (this.ending !== undefined || this.queue.length > 0) continue;
          await new Promise<void>((resolve) => { this.wake = resolve; });
          continue;
        }
        if (!this.emit(entry)) await this.waitForClient();
      }
      // `until` came: what is gathered goes out before the response ends
      if (this.ending === 'done') this.flush();
      return this.ending!;
    } finally {
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.queue.length = 0;
    }
  }

  private enqueue(entry: StoredEvent): void {
    if (this.ending !== undefined) return;
    this.queue.push(entry);
    if (this.queue.length > this.maxBehind) this.end('evicted');
    else this.poke();
  }

  /**
   * Writes one event unless already sent or past `until`; false when the
   * client is full. Synchronous: a replay of 100000 events must not cost
   * a promise each.
   */
  private emit(entry: StoredEvent): boolean {
    if (this.ending !== undefined) return true;
    if (compareStreamIds(entry.id, this.lastSent) <= 0) return true;
    this.lastSent = entry.id;
    const until = this.opts.untilNano;
    if (until !== undefined && entry.event.timeNano > until) return true;
    return this.out.write(entry);
  }

  private flush(): boolean {
    return this.out.flush ? this.out.flush() : true;
  }

  private waitForClient(): Promise<void> {
    return Promise.race([this.out.drained(), this.stopped]);
  }

  private end(reason: FollowEnd): FollowEnd {
    if (this.ending === undefined) this.ending = reason;
    this.stop();
    this.poke();
    return this.ending;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
