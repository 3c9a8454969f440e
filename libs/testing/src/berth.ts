import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { SERVICE_NAMES, ServiceName, loadConfig } from '@berth/config';
import { CommandResult, DockerOptions, DockerTarget, dockerCli, spawnDocker } from './docker-cli';
import { waitForGrpcHealth, waitForPing } from './health';
// The transport module alone: @berth/rpc's index loads Nest.
import { channelCredentialsFor } from '@berth/rpc/dist/transport';
import { HttpResponse, RequestBody, unixRequest } from './http';
import { LogBuffer, capture } from './logs';
import { allocateTestBridge, removeTestBridge } from './bridge';
import { unmountUnder } from './mounts';
import { freePort } from './ports';
import { mountsUnder, readPidFileSync, writePidFile } from '@berth/host';
import { isRunning, processesOf, signal, terminate, waitForExit } from './processes';
import { deleteRuncContainers } from './runc';

export type BerthComponent = ServiceName | 'gateway';
export const BERTH_COMPONENTS: readonly BerthComponent[] = [...SERVICE_NAMES, 'gateway'];

const APP_DIRS: Record<BerthComponent, string> = {
  volume: 'volume-service',
  image: 'image-service',
  container: 'container-service',
  network: 'network-service',
  gateway: 'gateway',
};

/** Temp roots are `/tmp/berth-XXXXXX`: short, because unix socket paths must stay under 108 bytes. */
const ROOT_PREFIX = '/tmp/berth-';
const OWNER_FILE = 'owner.pid';

export interface StartBerthOptions {
  /** Extra environment for the launcher and every service (wins over the defaults below). */
  env?: Record<string, string>;
  /** Components to run (default: all five). Without `gateway` there is no API, only the gRPC services. */
  services?: BerthComponent[];
  /**
   * Also listen on plain TCP on a free 127.0.0.1 port, through the explicit
   * insecure switch (default false: the unix socket only, Berth's default).
   */
  tcp?: boolean;
  /**
   * A service that dies after start-up is only logged by the launcher, so a
   * test can kill one and start a replacement (default true). With false the
   * launcher stops everything when any child dies, as it does in production.
   */
  keepGoing?: boolean;
  /** How long to wait for "Berth is ready" (default 90 s). */
  startTimeoutMs?: number;
  /** BERTH_LOG_LEVEL of everything started (default BERTH_TEST_LOG_LEVEL, else info). */
  logLevel?: string;
  /** The monorepo root (default: found from this file). */
  repoRoot?: string;
}

export interface Berth {
  /** The temp directory holding everything below; removed by stop(). */
  readonly root: string;
  readonly dataRoot: string;
  readonly runRoot: string;
  /** The gateway's unix socket. */
  readonly socketPath: string;
  /** `127.0.0.1:PORT`, or '' when TCP is off. */
  readonly tcpAddress: string;
  /** `unix://<socketPath>`, for DOCKER_HOST. */
  readonly dockerHost: string;
  /** DOCKER_CONFIG used by docker(). */
  readonly dockerConfig: string;
  /** The environment each service runs with (REDIS_URL and addresses included). */
  readonly env: Readonly<Record<string, string>>;
  /** Runs the real Docker CLI against this instance. */
  docker(args: string[], opts?: DockerOptions): Promise<CommandResult>;
  /** Starts the CLI without waiting (events, logs -f, attach); stop() kills it if still running. */
  spawnDocker(args: string[], opts?: Omit<DockerOptions, 'input' | 'timeoutMs'>): ChildProcess;
  /** One HTTP request to the gateway's unix socket. */
  request(method: string, path: string, body?: RequestBody, headers?: Record<string, string>): Promise<HttpResponse>;
  /** Pids of the launcher, redis and every component currently running. */
  pids(): Partial<Record<BerthComponent | 'redis' | 'launcher', number>>;
  /** Kills one component (SIGKILL by default: a crash) and waits until it is gone. */
  killService(name: BerthComponent, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a new process for a component that is not running; resolves once it is healthy. */
  startService(name: BerthComponent, opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<number>;
  /** What the launcher and services logged so far (tail kept in memory). */
  logs(): string;
  /** Stops everything started, deletes leftover containers, unmounts and removes the temp root. */
  stop(): Promise<void>;
}

function defaultRepoRoot(): string {
  // libs/testing/dist/berth.js -> repo root
  return path.resolve(__dirname, '..', '..', '..');
}

/**
 * The launcher and replacements are unref'd so a forgotten stop() cannot
 * hang a test process; while the harness itself waits on them, this keeps
 * the event loop alive.
 */
async function keepAlive<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(() => { /* hold the loop open */ }, 1000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** Instances still running in this process, for the last-resort exit handler. */
const live = new Set<BerthInstance>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous only: enough to make sure nothing outlives the test process.
  // The launcher also stops by itself when its stdin (our pipe) closes.
  process.on('exit', () => {
    for (const b of live) b.killNow();
  });
}

/**
 * Deletes what an earlier test process left behind when it died without
 * calling stop() (killed by a timeout, Ctrl-C): roots whose owner is gone.
 */
export async function reapStaleRoots(): Promise<string[]> {
  const reaped: string[] = [];
  for (const name of fs.readdirSync('/tmp')) {
    const root = path.join('/tmp', name);
    if (!root.startsWith(ROOT_PREFIX)) continue;
    const owner = readPidFileSync(path.join(root, OWNER_FILE));
    if (owner === undefined || isRunning(owner)) continue;
    await cleanUpRoot(root, path.join(root, 'run'));
    reaped.push(root);
  }
  return reaped;
}

/** Everything of one instance that may outlive its processes: containers, stray processes, mounts, files. */
async function cleanUpRoot(root: string, runRoot: string): Promise<string[]> {
  const problems: string[] = [];
  deleteRuncContainers(root);
  for (let round = 0; round < 5; round++) {
    const pids = processesOf(root, runRoot);
    if (pids.length === 0) break;
    for (const pid of pids) signal(pid, 'SIGKILL');
    await Promise.all(pids.map((pid) => waitForExit(pid, 2000)));
  }
  const leftover = processesOf(root, runRoot);
  if (leftover.length > 0) problems.push(`processes still running: ${leftover.join(', ')}`);
  const mounts = unmountUnder(root);
  if (mounts.length > 0) problems.push(`still mounted: ${mounts.join(', ')}`);
  // After the unmounts: the namespaces (and their veths) are gone by then.
  problems.push(...removeTestBridge(root));
  if (mountsUnder(root).length === 0) {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.rmSync(root, { recursive: true, force: true });
        break;
      } catch (err) {
        if (attempt >= 3) {
          problems.push(`could not remove ${root}: ${err instanceof Error ? err.message : String(err)}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
  return problems;
}

class BerthInstance implements Berth {
  readonly root: string;
  readonly dataRoot: string;
  readonly runRoot: string;
  readonly socketPath: string;
  readonly tcpAddress: string;
  readonly dockerHost: string;
  readonly dockerConfig: string;
  readonly env: Record<string, string>;
  private readonly repoRoot: string;
  private readonly logBuffer: LogBuffer;
  private launcher?: ChildProcess;
  private launcherExit?: Promise<void>;
  private readonly replacements = new Map<BerthComponent, ChildProcess>();
  private readonly cliProcesses = new Set<ChildProcess>();
  private stopping?: Promise<void>;

  constructor(root: string, tcpAddress: string, env: Record<string, string>, repoRoot: string) {
    this.root = root;
    this.dataRoot = path.join(root, 'data');
    this.runRoot = path.join(root, 'run');
    this.socketPath = path.join(this.runRoot, 'berth.sock');
    this.tcpAddress = tcpAddress;
    this.dockerHost = `unix://${this.socketPath}`;
    this.dockerConfig = path.join(root, 'docker-config');
    this.env = env;
    this.repoRoot = repoRoot;
    this.logBuffer = new LogBuffer(path.basename(root));
  }

  private get target(): DockerTarget {
    return { host: this.dockerHost, configDir: this.dockerConfig };
  }

  private mainOf(name: BerthComponent | 'launcher'): string {
    return path.join(this.repoRoot, 'apps', name === 'launcher' ? 'launcher' : APP_DIRS[name], 'dist', 'main.js');
  }

  private pidFile(name: string): string {
    return path.join(this.runRoot, 'pids', `${name}.pid`);
  }

  /** Starts the launcher and resolves once it printed "Berth is ready". */
  async launch(launcherEnv: Record<string, string>, timeoutMs: number): Promise<void> {
    const child = spawn(process.execPath, [this.mainOf('launcher')], {
      env: launcherEnv,
      cwd: this.repoRoot,
      // stdin stays open: the launcher stops itself when it closes (we died).
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.launcher = child;
    this.launcherExit = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdin!.on('error', () => { /* launcher gone */ });
    capture(child.stderr!, this.logBuffer);

    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => fail(new Error(`not ready after ${timeoutMs}ms`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        this.logBuffer.write(chunk.toString('utf8'));
        if (/^Berth is ready/m.test(stdout)) done();
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => fail(new Error(`launcher exited (${sig ?? `code ${code}`}) before it was ready`));
      const onError = (err: Error) => fail(err);
      const cleanup = () => {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      function done() { cleanup(); resolve(); }
      function fail(err: Error) { cleanup(); reject(err); }
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });

    // From here on a forgotten stop() must not keep the test process alive.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) if (s instanceof net.Socket) s.unref();
  }

  docker(args: string[], opts?: DockerOptions): Promise<CommandResult> {
    return dockerCli(this.target, args, opts);
  }

  spawnDocker(args: string[], opts?: Omit<DockerOptions, 'input' | 'timeoutMs'>): ChildProcess {
    const child = spawnDocker(this.target, args, opts);
    this.cliProcesses.add(child);
    child.once('exit', () => this.cliProcesses.delete(child));
    return child;
  }

  request(method: string, urlPath: string, body?: RequestBody, headers?: Record<string, string>): Promise<HttpResponse> {
    return unixRequest(this.socketPath, method, urlPath, body, headers);
  }

  logs(): string {
    return this.logBuffer.text();
  }

  private pidOf(name: BerthComponent | 'redis' | 'launcher'): number | undefined {
    if (name === 'launcher' && this.launcher?.pid !== undefined) return isRunning(this.launcher.pid) ? this.launcher.pid : undefined;
    const replacement = name === 'redis' || name === 'launcher' ? undefined : this.replacements.get(name);
    if (replacement?.pid !== undefined && isRunning(replacement.pid)) return replacement.pid;
    const pid = readPidFileSync(this.pidFile(name));
    return pid !== undefined && isRunning(pid) ? pid : undefined;
  }

  pids(): Partial<Record<BerthComponent | 'redis' | 'launcher', number>> {
    const out: Partial<Record<BerthComponent | 'redis' | 'launcher', number>> = {};
    for (const name of ['launcher', 'redis', ...BERTH_COMPONENTS] as const) {
      const pid = this.pidOf(name);
      if (pid !== undefined) out[name] = pid;
    }
    return out;
  }

  killService(name: BerthComponent, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return keepAlive(this.doKillService(name, sig));
  }

  private async doKillService(name: BerthComponent, sig: NodeJS.Signals): Promise<void> {
    const pid = this.pidOf(name);
    if (pid === undefined) throw new Error(`${name} is not running`);
    signal(pid, sig);
    if (!(await waitForExit(pid, 15_000))) {
      signal(pid, 'SIGKILL');
      await waitForExit(pid, 5000);
    }
    const replacement = this.replacements.get(name);
    if (replacement?.pid === pid) this.replacements.delete(name);
  }

  startService(name: BerthComponent, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<number> {
    return keepAlive(this.doStartService(name, opts));
  }

  private async doStartService(name: BerthComponent, opts: { env?: Record<string, string>; timeoutMs?: number }): Promise<number> {
    const running = this.pidOf(name);
    if (running !== undefined) throw new Error(`${name} is already running (pid ${running})`);
    const env = { ...this.env, ...opts.env };
    const child = spawn(process.execPath, [this.mainOf(name)], { env, cwd: this.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const pid = child.pid;
    this.replacements.set(name, child);
    writePidFile(this.pidFile(name), pid);
    capture(child.stdout!, this.logBuffer, `[${name} ${pid}] `);
    capture(child.stderr!, this.logBuffer, '');
    let exited: string | undefined;
    child.once('exit', (code, sig) => {
      exited = `exited (${sig ?? `code ${code}`}) before it was healthy`;
      if (readPidFileSync(this.pidFile(name)) === pid) fs.rmSync(this.pidFile(name), { force: true });
    });
    child.unref();
    for (const s of [child.stdout, child.stderr]) if (s instanceof net.Socket) s.unref();

    const timeoutMs = opts.timeoutMs ?? 30_000;
    const config = loadConfig(env);
    try {
      if (name === 'gateway') await waitForPing(config.gateway.socketPath, timeoutMs, () => exited);
      else await waitForGrpcHealth(config.services[name], timeoutMs, () => exited, channelCredentialsFor(config.services[name], config.grpcTls));
    } catch (err) {
      throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}\n--- logs ---\n${this.logBuffer.tail()}`);
    }
    return pid;
  }

  /** Best effort from a synchronous 'exit' handler. */
  killNow(): void {
    for (const c of this.cliProcesses) c.kill('SIGKILL');
    for (const c of this.replacements.values()) c.kill('SIGKILL');
    if (this.launcher?.pid !== undefined && isRunning(this.launcher.pid)) signal(this.launcher.pid, 'SIGTERM');
  }

  stop(): Promise<void> {
    this.stopping ??= keepAlive(this.doStop()).finally(() => live.delete(this));
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    for (const c of this.cliProcesses) c.kill('SIGKILL');
    // Replacements first: the launcher does not know about them.
    await terminate([...this.replacements.values()].map((c) => c.pid!).filter((p) => p !== undefined), 10_000);
    this.replacements.clear();
    const launcherPid = this.launcher?.pid;
    if (launcherPid !== undefined && isRunning(launcherPid)) {
      signal(launcherPid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        this.launcherExit!.then(() => true),
        new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 60_000); }),
      ]);
      clearTimeout(timer);
      if (!exited) {
        this.logBuffer.write('harness: launcher did not stop in 60s, killing it\n');
        signal(launcherPid, 'SIGKILL');
        await waitForExit(launcherPid, 5000);
      }
    }
    // Pid files name anything the launcher could not stop (it was killed, say).
    const leftovers = ['redis', ...BERTH_COMPONENTS].map((n) => this.pidOf(n as BerthComponent | 'redis')).filter((p): p is number => p !== undefined);
    await terminate(leftovers, 5000);

    const problems = await cleanUpRoot(this.root, this.runRoot);
    if (problems.length > 0) throw new Error(`Berth test instance ${this.root} was not cleaned up: ${problems.join('; ')}`);
  }
}

/**
 * Starts a whole Berth (launcher, private Redis, services, gateway) on a
 * fresh temp data-root, run-root and socket (and a TCP port when asked). Always pair with
 * stop(), e.g. in an `after` hook.
 */
export async function startBerth(opts: StartBerthOptions = {}): Promise<Berth> {
  installExitHook();
  await reapStaleRoots();
  const repoRoot = opts.repoRoot ?? defaultRepoRoot();
  const launcherMain = path.join(repoRoot, 'apps', 'launcher', 'dist', 'main.js');
  if (!fs.existsSync(launcherMain)) throw new Error(`${launcherMain} is missing: run pnpm build first`);

  const root = fs.mkdtempSync(ROOT_PREFIX);
  fs.writeFileSync(path.join(root, OWNER_FILE), `${process.pid}\n`);
  const dataRoot = path.join(root, 'data');
  const runRoot = path.join(root, 'run');
  fs.mkdirSync(path.join(root, 'docker-config'));
  const tcpAddress = opts.tcp ? `127.0.0.1:${await freePort()}` : '';
  // Each instance its own default bridge and /24, so instances never share one.
  const bridge = allocateTestBridge(root);

  // Nothing from the developer's own Berth or Redis set-up leaks in.
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('BERTH_') && k !== 'REDIS_URL') base[k] = v;
  }
  const env: Record<string, string> = {
    ...base,
    BERTH_DATA_ROOT: dataRoot,
    BERTH_RUN_ROOT: runRoot,
    BERTH_SOCKET: path.join(runRoot, 'berth.sock'),
    // Without tcp the listener is left to Berth's own default (none).
    ...(tcpAddress ? { BERTH_TCP: tcpAddress, BERTH_TCP_INSECURE: '1' } : {}),
    BERTH_LOG_LEVEL: opts.logLevel ?? process.env.BERTH_TEST_LOG_LEVEL ?? 'info',
    BERTH_BRIDGE_NAME: bridge.name,
    BERTH_BRIDGE_SUBNET: bridge.subnet,
    ...(bridge.pools ? { BERTH_DEFAULT_ADDRESS_POOLS: bridge.pools } : {}),
    ...opts.env,
  };
  // What the launcher hands its children, so startService() can do the same.
  const serviceEnv: Record<string, string> = { ...env, REDIS_URL: env.REDIS_URL || `unix://${path.join(runRoot, 'redis', 'redis.sock')}` };
  const config = loadConfig(serviceEnv);
  for (const name of SERVICE_NAMES) serviceEnv[`BERTH_${name.toUpperCase()}_ADDR`] = config.services[name];

  const startTimeoutMs = opts.startTimeoutMs ?? 90_000;
  const launcherEnv: Record<string, string> = {
    ...env,
    BERTH_LAUNCHER_KEEP_GOING: opts.keepGoing === false ? '0' : '1',
    BERTH_LAUNCHER_EXIT_WITH_STDIN: '1',
    BERTH_LAUNCHER_SERVICES: (opts.services ?? BERTH_COMPONENTS).join(','),
    BERTH_LAUNCHER_START_TIMEOUT: String(Math.ceil(startTimeoutMs / 1000)),
    BERTH_LAUNCHER_STOP_TIMEOUT: '10',
  };

  const berth = new BerthInstance(root, tcpAddress, serviceEnv, repoRoot);
  live.add(berth);
  try {
    await berth.launch(launcherEnv, startTimeoutMs + 5000);
  } catch (err) {
    const logs = berth.logs();
    await berth.stop().catch(() => { /* the start failure matters more */ });
    const tail = logs.length > 8192 ? logs.slice(logs.length - 8192) : logs;
    throw new Error(`Berth did not start: ${err instanceof Error ? err.message : String(err)}\n--- launcher log (tail) ---\n${tail}`);
  }
  return berth;
}
