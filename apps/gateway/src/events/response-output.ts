import type { ServerResponse } from 'node:http';
import { eventMatches, EventOutput, StoredEvent } from '@berth/events';
import type { Filters } from '@berth/engine-api';
import type { ApiFeatures } from '../versions/features';
import { formatEvent } from './event-format';

/**
 * A `GET /events` response as a follower's output: events the filters pass,
 * as the request's API version shows them, one JSON object a line; `false`
 * from write() and the drain are the response's own, so a client that reads
 * slowly slows its follower down instead of growing the gateway.
 */
export class ResponseOutput implements EventOutput {
  constructor(private readonly res: ServerResponse, private readonly filters: Filters, private readonly features: ApiFeatures) {}

  write(entry: StoredEvent): boolean {
    if (!eventMatches(entry.event, this.filters)) return true;
    const shown = formatEvent(entry.event, this.features);
    if (!shown) return true;
    return this.res.write(JSON.stringify(shown) + '\n');
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
