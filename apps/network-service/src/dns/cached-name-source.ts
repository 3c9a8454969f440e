import type { DnsNameSource } from './name-source';

export interface CachedNameSourceOptions {
  /**
   * A token that changes whenever the endpoint table may have changed (an
   * endpoint, sandbox or network written, by this process or another sharing
   * the store). Asked once per query; the cache is dropped when it differs.
   */
  generation: () => unknown;
  /** Entries are dropped at least this often anyway (the host's resolv.conf may change under upstreams()). Default 5 s. */
  maxAgeMs?: number;
  /** The cache is dropped when it grows past this many answers. Default 10 000. */
  maxEntries?: number;
}

/**
 * Memoises a name source's answers between changes of the endpoint table.
 * A lookup in the table is several SQLite reads (hundreds of microseconds),
 * ten times what the server spends on the packet itself; containers ask the
 * same few names over and over, and the table changes only when containers
 * start, stop, connect or disconnect. The generation token keeps answers
 * live: the first query after a change reads the table again.
 */
export class CachedNameSource implements DnsNameSource {
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private readonly lookups = new Map<string, string[] | undefined>();
  private readonly reverses = new Map<string, string | undefined>();
  private readonly upstreamsByClient = new Map<string, string[]>();
  private seen: unknown = undefined;
  private filledAt = 0;
  private fresh = false;

  constructor(
    private readonly inner: DnsNameSource,
    private readonly options: CachedNameSourceOptions,
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  lookup(client: string, name: string): string[] | undefined {
    this.sync();
    const key = `${client} ${name}`;
    const hit = this.lookups.get(key);
    if (hit !== undefined || this.lookups.has(key)) return hit;
    const answer = this.inner.lookup(client, name);
    this.remember(this.lookups, key, answer);
    return answer;
  }

  reverse(client: string, address: string): string | undefined {
    this.sync();
    const key = `${client} ${address}`;
    const hit = this.reverses.get(key);
    if (hit !== undefined || this.reverses.has(key)) return hit;
    const answer = this.inner.reverse(client, address);
    this.remember(this.reverses, key, answer);
    return answer;
  }

  upstreams(client: string): string[] {
    this.sync();
    const hit = this.upstreamsByClient.get(client);
    if (hit !== undefined) return hit;
    const answer = this.inner.upstreams(client);
    this.remember(this.upstreamsByClient, client, answer);
    return answer;
  }

  /** Drops every answer (for callers that know of a change without a generation token). */
  invalidate(): void {
    this.fresh = false;
  }

  private sync(): void {
    const generation = this.options.generation();
    const now = Date.now();
    if (this.fresh && generation === this.seen && now - this.filledAt < this.maxAgeMs) return;
    this.lookups.clear();
    this.reverses.clear();
    this.upstreamsByClient.clear();
    this.seen = generation;
    this.filledAt = now;
    this.fresh = true;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    // A client asking ever new names (a scan) must not grow the cache without bound.
    if (map.size >= this.maxEntries) map.clear();
    map.set(key, value);
  }
}
