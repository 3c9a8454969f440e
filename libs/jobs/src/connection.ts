import type { ConnectionOptions } from 'bullmq';

/** ioredis options BullMQ needs from a REDIS_URL (redis://host:port or unix:///path). */
export function redisConnectionOptions(url: string): ConnectionOptions {
  if (url.startsWith('unix:')) return { path: url.replace(/^unix:(\/\/)?/, ''), maxRetriesPerRequest: null };
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    maxRetriesPerRequest: null,
  };
}
