import type { EventInput } from '@berth/events';

/** Where container events go: the Redis events stream, a recorder in tests, nowhere without Redis. */
export interface EventSink {
  publish(event: EventInput): Promise<unknown>;
}

export const discardEvents: EventSink = { publish: async () => undefined };
