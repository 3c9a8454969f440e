import type { ConnectionOptions } from 'bullmq';
import { redisSettings } from '@berth/config';

/** ioredis options BullMQ needs from a REDIS_URL (see @berth/config's redisSettings: password, TLS, unix sockets). */
export function redisConnectionOptions(url: string): ConnectionOptions {
  return { ...redisSettings(url), maxRetriesPerRequest: null };
}
