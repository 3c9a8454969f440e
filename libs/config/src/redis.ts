import * as fs from 'node:fs';

type Env = Record<string, string | undefined>;

/** Where and how to connect to Redis: the ioredis options every Berth client uses. */
export interface RedisSettings {
  path?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** Present for rediss://: TLS, checking the server against `ca` (else the system's CAs). */
  tls?: { ca?: Buffer };
}

function fromQuery(params: URLSearchParams): Pick<RedisSettings, 'username' | 'password' | 'db'> {
  const db = params.get('db');
  return {
    username: params.get('user') ?? params.get('username') ?? undefined,
    password: params.get('password') ?? undefined,
    db: db === null ? undefined : Number(db),
  };
}

/**
 * Reads REDIS_URL as every Berth process does: `redis://[user:pass@]host:port[/db]`,
 * `rediss://...` for TLS, or `unix:///path[?user=U&password=P&db=N]`.
 * BERTH_REDIS_PASSWORD_FILE gives the password from a file instead (kept
 * out of the environment, where `ps e` and /proc show it);
 * BERTH_REDIS_TLS_CA is the CA that signed a rediss:// server's certificate.
 */
export function redisSettings(url: string, env: Env = process.env): RedisSettings {
  let settings: RedisSettings;
  if (url.startsWith('unix:')) {
    const rest = url.replace(/^unix:(\/\/)?/, '');
    const q = rest.indexOf('?');
    settings = { path: q < 0 ? rest : rest.slice(0, q), ...fromQuery(new URLSearchParams(q < 0 ? '' : rest.slice(q + 1))) };
  } else if (/^rediss?:\/\//.test(url)) {
    const u = new URL(url);
    settings = {
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(u.port || 6379),
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    };
  } else {
    throw new Error(`REDIS_URL must be redis://, rediss:// or unix://, got ${redactRedisUrl(url)}`);
  }
  if (settings.db !== undefined && !Number.isInteger(settings.db)) throw new Error(`REDIS_URL: the database must be a number, got ${redactRedisUrl(url)}`);
  const passwordFile = env.BERTH_REDIS_PASSWORD_FILE;
  if (passwordFile) {
    if (settings.password !== undefined) throw new Error('REDIS_URL has a password and BERTH_REDIS_PASSWORD_FILE is set: give it in one place');
    settings.password = fs.readFileSync(passwordFile, 'utf8').replace(/[\r\n]+$/, '');
  }
  const ca = env.BERTH_REDIS_TLS_CA;
  if (ca) {
    if (!settings.tls) throw new Error('BERTH_REDIS_TLS_CA is set but REDIS_URL is not rediss://');
    settings.tls.ca = fs.readFileSync(ca);
  }
  for (const k of Object.keys(settings) as (keyof RedisSettings)[]) if (settings[k] === undefined) delete settings[k];
  return settings;
}

/** REDIS_URL fit for a log line or an error message: any password replaced. */
export function redactRedisUrl(url: string): string {
  return url
    .replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@')
    .replace(/([?&]password=)[^&]*/, '$1***');
}
