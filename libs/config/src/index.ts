import * as path from 'node:path';

export type ServiceName = 'volume' | 'image' | 'container' | 'network';
export const SERVICE_NAMES: readonly ServiceName[] = ['volume', 'image', 'container', 'network'];

export interface GatewayConfig {
  /** Unix socket path of the Engine API; empty disables it. */
  socketPath: string;
  socketMode: number;
  /** Group owning the socket (dockerd's `docker`); root keeps it when the group does not exist. */
  socketGroup: string;
  /** host:port for TCP, empty (the default) disables it. */
  tcpAddress: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  /** Serve plain TCP (no TLS) anyway: whoever reaches the port is root. */
  insecureTcp: boolean;
  /** Serve TLS without client certificates on a non-loopback address anyway. */
  tlsAnyClient: boolean;
  /** Origins (`scheme://host[:port]`, or `*`) whose browser requests are served, dockerd's --api-cors-header. */
  corsOrigins: string[];
  /** Host names besides the listener's own accepted in the Host header of TCP requests. */
  tcpHosts: string[];
  /** Milliseconds a request's head or body may go without progress. */
  bodyTimeoutMs: number;
  /** Milliseconds a keep-alive connection may sit idle between requests. */
  idleTimeoutMs: number;
  /** Connections served at once, hijacked ones included; 0 is no limit. */
  maxConnections: number;
  /** Largest JSON request body accepted, in bytes. */
  bodyLimit: number;
}

/**
 * Mutual TLS between the services when they talk over TCP (a unix socket,
 * 0600, needs none). PEM files, re-read every `reloadMs` so certificates
 * rotate without a restart. The same pair serves and calls: each service's
 * certificate is both a server and a client certificate of the one CA.
 */
export interface GrpcTlsConfig {
  cert?: string;
  key?: string;
  ca?: string;
  /** Plain TCP between services allowed anyway (BERTH_GRPC_INSECURE=1). */
  insecure: boolean;
  reloadMs: number;
}

export interface BerthConfig {
  dataRoot: string;
  runRoot: string;
  /** Empty when the launcher is expected to start a private Redis. */
  redisUrl: string;
  /** gRPC addresses, `unix:/path` or `host:port`, used to serve and to call. */
  services: Record<ServiceName, string>;
  grpcTls: GrpcTlsConfig;
  gateway: GatewayConfig;
  logLevel: string;
  /** Maximum entries kept in the events stream. */
  eventsMaxLength: number;
}

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function intFrom(env: Env, key: string, fallback: number): number {
  const raw = nonEmpty(env[key]);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a non-negative number, got "${raw}"`);
  return n;
}

export function loadGrpcTls(env: Env = process.env): GrpcTlsConfig {
  const files = { cert: nonEmpty(env.BERTH_GRPC_TLS_CERT), key: nonEmpty(env.BERTH_GRPC_TLS_KEY), ca: nonEmpty(env.BERTH_GRPC_TLS_CA) };
  const set = Object.values(files).filter((v) => v !== undefined).length;
  // Half a configuration would quietly fall back to plaintext or to trusting anyone.
  if (set !== 0 && set !== 3) throw new Error('BERTH_GRPC_TLS_CERT, BERTH_GRPC_TLS_KEY and BERTH_GRPC_TLS_CA go together: set all three or none');
  return { ...files, insecure: flagFrom(env, 'BERTH_GRPC_INSECURE'), reloadMs: intFrom(env, 'BERTH_GRPC_TLS_RELOAD', 10) * 1000 };
}

function flagFrom(env: Env, key: string): boolean {
  const v = env[key];
  return v === '1' || v === 'true' || v === 'yes';
}

function listFrom(env: Env, key: string): string[] {
  return (env[key] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function positiveSeconds(env: Env, key: string, fallback: number): number {
  const raw = nonEmpty(env[key]);
  if (raw === undefined) return fallback * 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${key} must be a positive number of seconds, got "${raw}"`);
  return Math.round(n * 1000);
}

export function loadConfig(env: Env = process.env): BerthConfig {
  const dataRoot = path.resolve(nonEmpty(env.BERTH_DATA_ROOT) ?? '/var/lib/berth');
  const runRoot = path.resolve(nonEmpty(env.BERTH_RUN_ROOT) ?? '/run/berth');
  const services = {} as Record<ServiceName, string>;
  for (const name of SERVICE_NAMES) {
    services[name] = nonEmpty(env[`BERTH_${name.toUpperCase()}_ADDR`]) ?? `unix:${path.join(runRoot, `${name}.sock`)}`;
  }
  const tcpRaw = nonEmpty(env.BERTH_TCP);
  return {
    dataRoot,
    runRoot,
    redisUrl: nonEmpty(env.REDIS_URL) ?? '',
    services,
    grpcTls: loadGrpcTls(env),
    gateway: {
      socketPath: env.BERTH_SOCKET === undefined ? path.join(runRoot, 'berth.sock') : env.BERTH_SOCKET,
      socketMode: parseInt(nonEmpty(env.BERTH_SOCKET_MODE) ?? '660', 8),
      socketGroup: env.BERTH_SOCKET_GROUP ?? 'docker',
      // Whoever reaches the Engine API is root: TCP only when asked for.
      tcpAddress: tcpRaw === undefined || tcpRaw === 'off' ? '' : tcpRaw,
      tlsCert: nonEmpty(env.BERTH_TLS_CERT),
      tlsKey: nonEmpty(env.BERTH_TLS_KEY),
      tlsCa: nonEmpty(env.BERTH_TLS_CA),
      insecureTcp: flagFrom(env, 'BERTH_TCP_INSECURE'),
      tlsAnyClient: flagFrom(env, 'BERTH_TLS_ANY_CLIENT'),
      corsOrigins: listFrom(env, 'BERTH_API_CORS_ORIGINS'),
      tcpHosts: listFrom(env, 'BERTH_TCP_HOSTS'),
      bodyTimeoutMs: positiveSeconds(env, 'BERTH_BODY_TIMEOUT', 60),
      idleTimeoutMs: positiveSeconds(env, 'BERTH_IDLE_TIMEOUT', 65),
      maxConnections: intFrom(env, 'BERTH_MAX_CONNECTIONS', 1000),
      bodyLimit: intFrom(env, 'BERTH_BODY_LIMIT', 4 * 1024 * 1024),
    },
    logLevel: nonEmpty(env.BERTH_LOG_LEVEL) ?? 'info',
    eventsMaxLength: intFrom(env, 'BERTH_EVENTS_MAX', 100_000),
  };
}

/** Splits `host:port` (IPv6 in brackets allowed). */
export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid address "${address}": expected host:port`);
  return { host: m[1] === '' ? '0.0.0.0' : m[1], port: Number(m[2]) };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export * from './redis';

/** 0.0.0.0 or ::, every address of the machine. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}
