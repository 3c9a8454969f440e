import type Redis from 'ioredis';
import { createRedis } from './redis';
import { EventInput, EventPublisher } from './publisher';

/** Where a service's events go: the Redis stream, a recorder in tests, nowhere without Redis. */
export interface EventSink {
  publish(event: EventInput): Promise<unknown>;
}

export const discardEvents: EventSink = { publish: async () => undefined };

interface WarnLogger { warn(msg: string, fields?: Record<string, unknown>): void }

/**
 * The event sink every service starts with: a publisher on REDIS_URL, or
 * (without Redis, as in unit runs) one that drops events with a warning.
 */
export function connectEventSink(redisUrl: string, maxLength: number, logger: WarnLogger): { sink: EventSink; close(): void } {
  if (!redisUrl) {
    logger.warn('REDIS_URL is not set: events are not published');
    return { sink: discardEvents, close: () => undefined };
  }
  const redis: Redis = createRedis(redisUrl, { maxRetriesPerRequest: 3 });
  redis.on('error', (err: Error) => logger.warn('redis connection error', { error: err.message }));
  return { sink: new EventPublisher(redis, maxLength), close: () => redis.disconnect() };
}
