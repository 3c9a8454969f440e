import Redis, { RedisOptions } from 'ioredis';

/** Connects to REDIS_URL: redis://[user:pass@]host:port[/db] or unix:///path/to/socket. */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  if (url.startsWith('unix:')) return new Redis({ path: url.replace(/^unix:(\/\/)?/, ''), ...options });
  return new Redis(url, options);
}
