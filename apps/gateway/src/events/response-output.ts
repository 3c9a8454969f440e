import type { ServerResponse } from 'node:http';
import { eventMatches, EventOutput, StoredEvent } from '@berth/events';
import type { Filters } from '@berth/engine-api';
import type { ApiFeatures } from '../versions/features';
import { formatEvent } from './event-format';

/** Bytes gathered before they are written: the size of a socket write, and of a response's high-water mark. */
const GATHER_LIMIT = 16 * 1024;

/**
 * A `GET /events` response as a follower's output: events the filters pass,
 * as the request's API version shows them, one JSON object a line; `false`
 * from write() and the drain are the response's own, so a client that reads
 * slowly slows its follower down instead of growing the gateway.
 */
export class ResponseOutput implements EventOutput {
  /** Lines gathered for one write: a replay is 100000 events, not 100000 writes. */
  private gathered = '';

  constructor(private readonly res: ServerResponse, private readonly filters: Filters, private readonly features: ApiFeatures) {}

  write(entry: StoredEvent): boolean {
    if (!eventMatches(entry.event, this.filters)) return true;
    const shown = formatEvent(entry.event, this.features);
    if (!shown) return true;
    this.gathered += JSON.stringify(shown) + '\n';
    return this.gathered.length < GATHER_LIMIT || this.flush();
  }

  flush(): boolean {
    if (this.gathered === '') return !this.res.writableNeedDrain;
    const chunk = this.gathered;
    this.gathered = '';
    return this.res.write(chunk);
  }

  drained(): Promise<void> {
    const res = this.res;
    if (res.destroyed || !res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
}
