import Redis, { RedisOptions } from 'ioredis';
import { redisSettings } from '@berth/config';

/**
 * Connects to REDIS_URL: redis://[user:pass@]host:port[/db], rediss://... (TLS)
 * or unix:///path/to/socket[?user=U&password=P]; BERTH_REDIS_PASSWORD_FILE
 * and BERTH_REDIS_TLS_CA as @berth/config's redisSettings reads them.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis({ ...redisSettings(url), ...options });
}
