import * as fs from 'node:fs';
import * as path from 'node:path';
import { BerthConfig, SERVICE_NAMES, parseHostPort } from '@berth/config';
import type { Logger } from '@berth/logging';
// The transport module alone: @berth/rpc's index loads Nest, which the launcher does not need.
import { channelCredentialsFor } from '@berth/rpc/dist/transport';
import { GatewayEndpoint, waitForGatewayPing, waitForGrpcHealth } from './health';
import { APP_DIRS, Component, LauncherOptions } from './options';
import { pidFilePath } from './pidfiles';
import { privateRedisUrl, startPrivateRedis, waitForRedis } from './redis';
import { prepareRoots } from './roots';
import { SupervisedProcess, describeExit, logExit } from './supervisor';

/** Callers stop before the services they call, Redis last. */
const STOP_ORDER: Component[][] = [['gateway'], ['container', 'image'], ['network', 'volume']];

class ShuttingDown extends Error {
  constructor() { super('shutting down'); }
}

export interface LauncherDeps {
  config: BerthConfig;
  options: LauncherOptions;
  logger: Logger;
  /** The apps/ directory holding each component's dist/main.js. */
  appsDir: string;
  /** Where children's log lines go; the launcher's stderr by default. */
  sink?: (line: string) => void;
}

/** Where the gateway can be pinged, preferring the unix socket. */
export function gatewayEndpoint(config: BerthConfig): GatewayEndpoint | undefined {
  const gw = config.gateway;
  if (gw.socketPath) return { kind: 'unix', socketPath: gw.socketPath };
  if (!gw.tcpAddress) return undefined;
  const { host, port } = parseHostPort(gw.tcpAddress);
  const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return { kind: 'tcp', host: local, port, tls: Boolean(gw.tlsCert && gw.tlsKey) };
}

/**
 * The addresses printed once Berth is ready, as DOCKER_HOST values: the
 * unix socket, and TCP only when configured, saying how it is protected.
 */
export function apiEndpoints(config: BerthConfig): string[] {
  const gw = config.gateway;
  const out: string[] = [];
  if (gw.socketPath) out.push(`unix://${gw.socketPath}`);
  if (gw.tcpAddress) {
    const tls = Boolean(gw.tlsCert && gw.tlsKey);
    const how = !tls ? 'plain, insecure' : gw.tlsCa ? 'TLS, client certificates' : 'TLS, any client';
    out.push(`tcp://${gw.tcpAddress} (${how})`);
  }
  return out;
}

/**
 * Runs Redis (when REDIS_URL is unset), the four gRPC services and the
 * gateway as child processes, in that order, and stops them in reverse.
 */
export class Launcher {
  private readonly config: BerthConfig;
  private readonly options: LauncherOptions;
  private readonly logger: Logger;
  private readonly appsDir: string;
  private readonly sink?: (line: string) => void;
  private readonly children = new Map<Component | 'redis', SupervisedProcess>();
  private readonly abort = new AbortController();
  private redisUrl: string;
  private ready = false;
  private stopping?: Promise<number>;
  private resolveFinished!: (code: number) => void;
  /** Settles with the exit code once every child is gone. */
  readonly finished = new Promise<number>((resolve) => { this.resolveFinished = resolve; });

  constructor(deps: LauncherDeps) {
    this.config = deps.config;
    this.options = deps.options;
    this.logger = deps.logger;
    this.appsDir = deps.appsDir;
    this.sink = deps.sink;
    this.redisUrl = deps.config.redisUrl;
  }

  get shuttingDown(): boolean {
    return this.stopping !== undefined;
  }

  /** The environment every service gets: ours, with the resolved addresses made explicit. */
  childEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('BERTH_LAUNCHER_')) delete env[key];
    env.BERTH_DATA_ROOT = this.config.dataRoot;
    env.BERTH_RUN_ROOT = this.config.runRoot;
    env.REDIS_URL = this.redisUrl;
    env.BERTH_SOCKET = this.config.gateway.socketPath;
    for (const name of SERVICE_NAMES) env[`BERTH_${name.toUpperCase()}_ADDR`] = this.config.services[name];
    return env;
  }

  /** Starts everything and resolves with the API endpoints; rejects if anything fails to come up. */
  async start(): Promise<string[]> {
    const { config, options } = this;
    const missing = options.components.filter((c) => !fs.existsSync(this.mainOf(c)));
    if (missing.length > 0) {
      throw new Error(`not built: ${missing.map((c) => path.relative(process.cwd(), this.mainOf(c))).join(', ')} (run pnpm build, or leave them out with BERTH_LAUNCHER_SERVICES)`);
    }
    prepareRoots(config.dataRoot, config.runRoot);
    const deadline = () => Date.now() + options.startTimeoutMs;

    if (!this.redisUrl) {
      this.throwIfStopping();
      const redis = startPrivateRedis({
        dataRoot: config.dataRoot,
        runRoot: config.runRoot,
        binary: options.redisBinary,
        logLevel: config.logLevel,
        pidFile: pidFilePath(config.runRoot, 'redis'),
      }, this.sink);
      this.track('redis', redis);
      this.redisUrl = privateRedisUrl(config.runRoot);
      await this.untilHealthy(redis, (signal) => waitForRedis(this.redisUrl, deadline(), signal));
      this.logger.info('redis ready', { url: this.redisUrl, pid: redis.pid });
    }

    const services = options.components.filter((c): c is Exclude<Component, 'gateway'> => c !== 'gateway');
    await Promise.all(services.map(async (name) => {
      const creds = channelCredentialsFor(config.services[name], config.grpcTls, this.logger);
      const proc = this.spawnComponent(name);
      await this.untilHealthy(proc, (signal) => waitForGrpcHealth(config.services[name], deadline(), signal, creds));
      this.logger.info('service ready', { service: name, address: config.services[name], pid: proc.pid });
    }));

    if (!options.components.includes('gateway')) {
      this.ready = true;
      return [];
    }
    const gateway = this.spawnComponent('gateway');
    const endpoint = gatewayEndpoint(config);
    if (endpoint) {
      await this.untilHealthy(gateway, (signal) => waitForGatewayPing(endpoint, deadline(), signal));
    } else {
      this.logger.warn('gateway has neither a unix socket nor TCP (BERTH_SOCKET="" and BERTH_TCP=off): not waiting for it');
    }
    this.logger.info('service ready', { service: 'gateway', pid: gateway.pid });
    this.ready = true;
    return apiEndpoints(config);
  }

  /**
   * Stops children in order (gateway, callers, callees, Redis). The first
   * call decides the exit code; later calls share its outcome.
   */
  shutdown(exitCode: number): Promise<number> {
    if (this.stopping) return this.stopping;
    this.abort.abort(new ShuttingDown());
    this.stopping = (async () => {
      for (const group of STOP_ORDER) {
        await Promise.all(group.map((name) => this.stopChild(name)));
      }
      await this.stopChild('redis');
      this.resolveFinished(exitCode);
      return exitCode;
    })();
    return this.stopping;
  }

  /** Second Ctrl-C: no more waiting. */
  killAll(): void {
    for (const child of this.children.values()) child.kill();
  }

  isShutdownError(err: unknown): boolean {
    return err instanceof ShuttingDown;
  }

  private async stopChild(name: Component | 'redis'): Promise<void> {
    const child = this.children.get(name);
    if (!child || !child.running) return;
    await child.stop(this.options.stopTimeoutMs);
  }

  private mainOf(component: Component): string {
    return path.join(this.appsDir, APP_DIRS[component], 'dist', 'main.js');
  }

  private throwIfStopping(): void {
    // Anything spawned after shutdown began might miss its turn to be stopped.
    if (this.shuttingDown) throw new ShuttingDown();
  }

  private spawnComponent(name: Component): SupervisedProcess {
    this.throwIfStopping();
    const proc = SupervisedProcess.start({
      name,
      command: process.execPath,
      args: [this.mainOf(name)],
      env: this.childEnv(),
      pidFile: pidFilePath(this.config.runRoot, name),
    }, this.sink);
    this.track(name, proc);
    return proc;
  }

  private track(name: Component | 'redis', proc: SupervisedProcess): void {
    this.children.set(name, proc);
    this.logger.debug('started', { service: name, pid: proc.pid });
    void proc.exited.then((exit) => {
      logExit(this.logger, proc, exit);
      if (proc.stopping || this.shuttingDown) return;
      if (this.ready && this.options.keepGoing) {
        this.logger.warn(`${name} is gone; carrying on (BERTH_LAUNCHER_KEEP_GOING)`, { service: name });
        return;
      }
      this.logger.error('a service died: stopping everything', { service: name, reason: describeExit(exit) });
      void this.shutdown(1);
    });
  }

  /** Runs `probe` until it succeeds, failing early if the child exits first or we shut down. */
  private async untilHealthy(proc: SupervisedProcess, probe: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const local = new AbortController();
    const onAbort = () => local.abort(this.abort.signal.reason);
    if (this.abort.signal.aborted) throw new ShuttingDown();
    this.abort.signal.addEventListener('abort', onAbort, { once: true });
    const died = proc.exited.then((exit) => {
      throw new Error(`${proc.name} ${describeExit(exit)} before it was ready`);
    });
    died.catch(() => { /* only matters if it wins the race */ });
    try {
      await Promise.race([probe(local.signal), died]);
    } finally {
      this.abort.signal.removeEventListener('abort', onAbort);
      local.abort();
    }
  }
}
