import type Redis from 'ioredis';
import type { EngineEvent } from '@berth/engine-api';
import { EVENTS_STREAM } from './publisher';

export interface StoredEvent { id: string; event: EngineEvent }

export type XEntries = [id: string, fields: string[]][];

export function decodeEntries(entries: XEntries | null | undefined): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const [id, fields] of entries ?? []) {
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] !== 'e') continue;
      try {
        out.push({ id, event: JSON.parse(fields[i + 1]) as EngineEvent });
      } catch {
        // a malformed entry is skipped rather than ending every reader's stream
      }
    }
  }
  return out;
}

/** The id of the newest entry, or '0-0' for an empty stream. */
export async function lastEventId(redis: Redis): Promise<string> {
  const entries = (await redis.xrevrange(EVENTS_STREAM, '+', '-', 'COUNT', 1)) as XEntries;
  return entries.length > 0 ? entries[0][0] : '0-0';
}

/** Blocks until events newer than `afterId` arrive (or blockMs passes). Needs a dedicated connection. */
export async function readAfter(redis: Redis, afterId: string, blockMs: number, count = 500): Promise<StoredEvent[]> {
  const res = (await redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', EVENTS_STREAM, afterId)) as [string, XEntries][] | null;
  if (!res) return [];
  return decodeEntries(res[0][1]);
}

/** Compares two stream ids ("ms-seq"). */
export function compareStreamIds(a: string, b: string): number {
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  // Ids as Redis makes them fit a double exactly; longer ones (hand-made) take BigInt.
  if (da > 15 || db > 15 || a.length - da > 16 || b.length - db > 16) return compareBig(a, b);
  const am = Number(a.slice(0, da));
  const bm = Number(b.slice(0, db));
  if (am !== bm) return am < bm ? -1 : 1;
  const as = Number(a.slice(da + 1));
  const bs = Number(b.slice(db + 1));
  return as === bs ? 0 : as < bs ? -1 : 1;
}

function compareBig(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}
