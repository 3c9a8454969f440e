import { SERVICE_NAMES, ServiceName } from '@berth/config';

/** What the launcher runs: the four gRPC services and the gateway. */
export type Component = ServiceName | 'gateway';
export const COMPONENTS: readonly Component[] = [...SERVICE_NAMES, 'gateway'];

/** Directory under apps/ holding each component's build. */
export const APP_DIRS: Record<Component, string> = {
  volume: 'volume-service',
  image: 'image-service',
  container: 'container-service',
  network: 'network-service',
  gateway: 'gateway',
};

/**
 * Settings that only the launcher reads. They never reach the services:
 * every BERTH_LAUNCHER_* variable is removed from the children's environment.
 */
export interface LauncherOptions {
  components: Component[];
  /** After start-up, a child that dies is logged and the rest keep running. */
  keepGoing: boolean;
  /** Shut down when stdin reaches end of file (the parent went away). */
  exitWithStdin: boolean;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  redisBinary: string;
}

type Env = Record<string, string | undefined>;

function flag(env: Env, key: string): boolean {
  const v = env[key];
  return v === '1' || v === 'true' || v === 'yes';
}

function seconds(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback * 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${key} must be a positive number of seconds, got "${raw}"`);
  return n * 1000;
}

export function parseComponents(raw: string | undefined): Component[] {
  if (raw === undefined || raw.trim() === '') return [...COMPONENTS];
  const wanted = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of wanted) {
    if (!(COMPONENTS as readonly string[]).includes(name)) {
      throw new Error(`BERTH_LAUNCHER_SERVICES: unknown service "${name}" (expected some of ${COMPONENTS.join(', ')})`);
    }
  }
  // Keep the canonical order whatever order the list was written in.
  return COMPONENTS.filter((c) => wanted.includes(c));
}

export function loadLauncherOptions(env: Env = process.env): LauncherOptions {
  return {
    components: parseComponents(env.BERTH_LAUNCHER_SERVICES),
    keepGoing: flag(env, 'BERTH_LAUNCHER_KEEP_GOING'),
    exitWithStdin: flag(env, 'BERTH_LAUNCHER_EXIT_WITH_STDIN'),
    startTimeoutMs: seconds(env, 'BERTH_LAUNCHER_START_TIMEOUT', 60),
    stopTimeoutMs: seconds(env, 'BERTH_LAUNCHER_STOP_TIMEOUT', 15),
    redisBinary: env.BERTH_LAUNCHER_REDIS_SERVER || 'redis-server',
  };
}

export const USAGE = `Usage: node apps/launcher/dist/main.js

Starts Berth: a private redis-server (unless REDIS_URL is set), the volume,
image, container and network services, then the gateway. Configured by
environment only:

  BERTH_DATA_ROOT, BERTH_RUN_ROOT, REDIS_URL, BERTH_<SERVICE>_ADDR,
  BERTH_SOCKET, BERTH_TCP, BERTH_TLS_*, BERTH_LOG_LEVEL ...  (see README.md)

Launcher only:
  BERTH_LAUNCHER_SERVICES        comma list of ${COMPONENTS.join(',')} (default: all)
  BERTH_LAUNCHER_KEEP_GOING=1    after start-up, log a dead child and keep the rest running
  BERTH_LAUNCHER_EXIT_WITH_STDIN=1  stop everything when stdin closes
  BERTH_LAUNCHER_START_TIMEOUT   seconds to wait for each service to be healthy (60)
  BERTH_LAUNCHER_STOP_TIMEOUT    seconds between SIGTERM and SIGKILL on stop (15)
  BERTH_LAUNCHER_REDIS_SERVER    redis-server binary (default: redis-server on PATH)
`;
