import { EVENTS_STREAM } from './publisher';
import { decodeEntries, StoredEvent, XEntries } from './reader';

/** What the paging reader needs of a Redis connection. */
export interface RangeSource {
  xrange(key: string, start: string, end: string, countToken: 'COUNT', count: number): Promise<XEntries>;
}

/** Entries fetched per XRANGE: what one reader holds at a time, whatever the range. */
export const RANGE_PAGE_SIZE = 200;

/**
 * The events stored between two instants (nanoseconds since the epoch,
 * inclusive), one page at a time: the stream may hold BERTH_EVENTS_MAX
 * entries and a reader must not hold them all (20 readers of a full stream
 * took a gateway to gigabytes). The next page is fetched only when the
 * consumer asks for it, so a slow client keeps at most one page here.
 *
 * Stream ids carry the append time in milliseconds; the range is widened
 * by a second each side for clock skew between services and then filtered
 * by the event's own timeNano.
 */
export async function* readRangePages(
  redis: RangeSource, sinceNano: number, untilNano: number | undefined, pageSize = RANGE_PAGE_SIZE,
): AsyncGenerator<StoredEvent[]> {
  let start = String(Math.max(0, Math.floor(sinceNano / 1e6) - 1000));
  const end = untilNano === undefined ? '+' : String(Math.floor(untilNano / 1e6) + 1000);
  for (;;) {
    const entries = await redis.xrange(EVENTS_STREAM, start, end, 'COUNT', pageSize);
    const page = decodeEntries(entries).filter((e) => e.event.timeNano >= sinceNano && (untilNano === undefined || e.event.timeNano <= untilNano));
    if (page.length > 0) yield page;
    if (entries.length < pageSize) return;
    start = '(' + entries[entries.length - 1][0];
  }
}
