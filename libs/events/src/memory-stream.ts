import assert from 'node:assert/strict';
import { buildEvent, EVENTS_STREAM } from './publisher';
import { compareStreamIds, StoredEvent, XEntries } from './reader';
import type { RangeSource } from './range-pages';

/* For the unit tests only (not exported from the package). */

/** An events stream in memory, answering XRANGE as Redis does (ids "ms-seq", "(" exclusive, COUNT). */
export class MemoryStream implements RangeSource {
  readonly entries: XEntries = [];
  calls = 0;
  largestReply = 0;

  add(ms: number, timeNano = ms * 1e6, name = `v${this.entries.length}`): string {
    const last = this.entries.at(-1)?.[0];
    const seq = last && last.startsWith(`${ms}-`) ? Number(last.split('-')[1]) + 1 : 0;
    const id = `${ms}-${seq}`;
    const event = buildEvent({ Type: 'volume', Action: 'create', Actor: { ID: name, Attributes: {} } }, timeNano);
    this.entries.push([id, ['e', JSON.stringify(event)]]);
    return id;
  }

  /** The stored event with this id, as the readers decode it. */
  stored(id: string): StoredEvent {
    const e = this.entries.find(([i]) => i === id)!;
    return { id, event: JSON.parse(e[1][1]) };
  }

  async xrange(key: string, start: string, end: string, _count: 'COUNT', count: number): Promise<XEntries> {
    assert.equal(key, EVENTS_STREAM);
    this.calls++;
    const exclusive = start.startsWith('(');
    const s = exclusive ? start.slice(1) : start;
    const lo = s === '-' ? '0-0' : s.includes('-') ? s : `${s}-0`;
    const hi = end === '+' ? `${Number.MAX_SAFE_INTEGER}-0` : end.includes('-') ? end : `${end}-${Number.MAX_SAFE_INTEGER}`;
    const out = this.entries.filter(([id]) => {
      const c = compareStreamIds(id, lo);
      return (exclusive ? c > 0 : c >= 0) && compareStreamIds(id, hi) <= 0;
    }).slice(0, count);
    this.largestReply = Math.max(this.largestReply, out.length);
    return out;
  }
}
