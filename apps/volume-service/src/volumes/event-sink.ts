import type { EventInput } from '@berth/events';

/**
 * Where volume events go: the Redis events stream in the service (an
 * EventPublisher), a plain recorder in tests, nowhere without Redis.
 */
export interface EventSink {
  publish(event: EventInput): Promise<unknown>;
}

/** For a service started without REDIS_URL. */
export const discardEvents: EventSink = { publish: async () => undefined };
