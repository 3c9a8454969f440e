import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import type { ContainerExits } from '../containers/container-exits';
import type { ContainerPaths } from '../containers/container-paths';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerStore } from '../containers/container-store';
import { processAlive, readPidFileSync } from '@berth/host';
import { startFailure } from '../runtime/start-failure';
import type { OciSpec } from '../runtime/oci-spec';
import { resolveUser, UserError } from '../runtime/users';
import { ConmonExec, ExecStartError } from './conmon-exec';
import { DEFAULT_DETACH_KEYS, DetachWatcher, parseDetachKeys } from '../attach/detach-keys';
import { buildExecProcess, execEnvironment } from './exec-spec';
import { noSuchExec } from './exec-errors';
import type { AttachedExec, ExecCreateConfig, ExecRecord, StartOptions } from './exec-types';

export type { AttachedExec, ExecCreateConfig, ExecRecord, StartOptions } from './exec-types';

/** How long a resize waits for its exec to start. */
const RESIZE_WAIT_MS = 10_000;

/** Exited execs stay inspectable this long (dockerd's GC runs every 5 minutes, two passes). */
const EXITED_RETENTION_MS = 10 * 60 * 1000;

/**
 * Execs: create, inspect, start (attached or detached), resize. Each runs
 * under its own conmon in exec mode (conmon-exec.ts); health probes are
 * execs too (health/exec-probe-runner.ts).
 */
export class ExecManager {
  private readonly execs = new Map<string, ExecRecord>();
  /** Containers whose stop we are waiting for, to drop their execs. */
  private readonly watched = new Set<string>();
  readonly execRoot: string;

  constructor(
    private readonly store: ContainerStore,
    private readonly paths: ContainerPaths,
    private readonly exits: ContainerExits,
    private readonly events: EventSink,
    private readonly logger: Logger,
    private readonly binaries: { conmon?: string; runtime?: string } = {},
  ) {
    // runcRoot is <run-root>/runc: exec dirs die with the host like the rest of run-root
    this.execRoot = path.join(path.dirname(paths.runcRoot), 'exec');
    this.sweep();
  }

  /**
   * Exec records live in memory (dockerd forgets them on restart too): the
   * directories of execs whose conmon is gone are left from an earlier run.
   */
  private sweep(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.execRoot);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = readPidFileSync(path.join(this.execRoot, name, 'conmon.pid'));
      if (pid !== undefined && processAlive(pid)) continue;
      fs.rmSync(path.join(this.execRoot, name), { recursive: true, force: true });
      fs.rmSync(path.join(this.paths.socketDir, name), { force: true });
    }
  }

  private emit(record: ContainerRecord, action: string, extra: Record<string, string>): void {
    this.events.publish({
      Type: 'container',
      Action: action,
      Actor: { ID: record.Id, Attributes: { ...(record.Config.Labels ?? {}), image: record.ImageName, name: record.Name, ...extra } },
    }).catch((err: unknown) => {
      this.logger.warn('event not published', { action, container: record.Id, error: err instanceof Error ? err.message : String(err) });
    });
  }

  /** dockerd's GetContainer: full id, name, unique id prefix. */
  private resolveContainer(ref: string): ContainerRecord {
    const noSuch = () => RpcError.notFound(`No such container: ${ref}`);
    if (ref === '') throw noSuch();
    const exact = this.store.get(ref) ?? this.store.byName(ref.replace(/^\//, ''));
    if (exact) return exact.record;
    if (/^[0-9a-f]+$/.test(ref)) {
      const found = this.store.byPrefix(ref);
      if (found.length > 1) throw RpcError.invalidArgument(`Multiple IDs found with provided prefix: ${ref}`);
      if (found.length === 1) return found[0].record;
    }
    throw noSuch();
  }

  /** dockerd's getActiveContainer checks (the paused message names the container as the caller did). */
  private checkActive(record: ContainerRecord, ref: string): void {
    const s = record.State.Status;
    if (s !== 'running' && s !== 'paused' && s !== 'restarting') throw RpcError.conflict(`Container ${record.Id} is not running`);
    if (s === 'paused') throw RpcError.conflict(`Container ${ref} is paused, unpause the container before exec`);
    if (s === 'restarting') throw RpcError.conflict(`Container ${record.Id} is restarting, wait until the container is running`);
  }

  private resolveExecUser(record: ContainerRecord, user: string) {
    try {
      return resolveUser(this.paths.rootfs(record.Id), user, (record.HostConfig.GroupAdd as string[] | undefined) ?? []);
    } catch (err) {
      if (err instanceof UserError) throw RpcError.invalidArgument(err.message);
      throw err;
    }
  }

  create(containerRef: string, config: ExecCreateConfig, internal = false): string {
    const cmd = Array.isArray(config.Cmd) ? config.Cmd : [];
    if (cmd.length === 0) throw RpcError.invalidArgument('No exec command specified');
    const record = this.resolveContainer(containerRef);
    this.checkActive(record, containerRef);
    if (config.User) this.resolveExecUser(record, config.User);
    let detachKeys: Buffer = Buffer.alloc(0);
    if (config.DetachKeys) {
      try {
        detachKeys = parseDetachKeys(config.DetachKeys);
      } catch {
        // dockerd's exec wording (a plain error: 500)
        throw RpcError.internal(`Invalid escape keys (${config.DetachKeys}) provided`);
      }
    }
    const tty = config.Tty === true;
    const cs = Array.isArray(config.ConsoleSize) && config.ConsoleSize.length === 2 ? { height: config.ConsoleSize[0], width: config.ConsoleSize[1] } : undefined;
    const exec: ExecRecord = {
      id: randomBytes(32).toString('hex'),
      containerId: record.Id,
      entrypoint: cmd[0],
      args: cmd.slice(1),
      // a legacy link's variables come before the container's own, which win (dockerd's CreateDaemonEnvironment)
      env: execEnvironment({ ...record.Config, Env: [...(record.LinkEnv ?? []), ...(record.Config.Env ?? [])] }, tty, config.Env ?? []),
      workingDir: config.WorkingDir || record.Config.WorkingDir || '',
      user: config.User || record.Config.User || '',
      tty,
      privileged: config.Privileged === true,
      openStdin: config.AttachStdin === true,
      openStdout: config.AttachStdout === true,
      openStderr: config.AttachStderr === true,
      detachKeys,
      consoleSize: cs && cs.height > 0 && cs.width > 0 ? cs : undefined,
      running: false,
      exitCode: null,
      pid: 0,
      started: false,
      ready: Promise.resolve(),
      markReady: () => undefined,
    };
    exec.ready = new Promise<void>((resolve) => {
      exec.markReady = resolve;
    });
    this.execs.set(exec.id, exec);
    this.store.update(record.Id, (r) => ({ ...r, ExecIDs: [...(r.ExecIDs ?? []), exec.id] }));
    this.watch(record.Id);
    this.emit(record, `exec_create: ${exec.entrypoint} ${exec.args.join(' ')}`, { execID: exec.id });
    if (!internal) this.logger.debug('exec created', { exec: exec.id, container: record.Id });
    return exec.id;
  }

  /** When the container stops, dockerd forgets the execs it still lists (Cleanup → unregisterExecCommand). */
  private watch(containerId: string): void {
    if (this.watched.has(containerId)) return;
    this.watched.add(containerId);
    void this.exits.next(containerId).then(() => {
      this.watched.delete(containerId);
      this.containerStopped(containerId);
    });
  }

  /** Drops the container's not-exited execs and clears its ExecIDs (also called by the lifecycle's notice). */
  containerStopped(containerId: string): void {
    for (const e of this.execs.values()) {
      if (e.containerId !== containerId) continue;
      if (e.exitCode === null && !e.running) this.execs.delete(e.id);
    }
    this.store.update(containerId, (r) => (r.ExecIDs && r.ExecIDs.length > 0 ? { ...r, ExecIDs: [] } : undefined));
  }

  private get(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (!e) throw noSuchExec(id);
    return e;
  }

  /** `GET /exec/{id}/json` (ExecInspectResponse, in dockerd's field order). */
  inspect(id: string): Record<string, unknown> {
    const e = this.get(id);
    if (!this.store.get(e.containerId)) throw noSuchExec(id);
    const processConfig: Record<string, unknown> = { tty: e.tty, entrypoint: e.entrypoint, arguments: e.args, privileged: e.privileged };
    if (e.user) processConfig.user = e.user;
    return {
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: processConfig,
      OpenStdin: e.openStdin,
      OpenStderr: e.openStderr,
      OpenStdout: e.openStdout,
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: e.detachKeys.toString('base64'),
      Pid: e.pid,
    };
  }

  /**
   * dockerd's ExecExists/getExecConfig: what is checked before a start's
   * connection is hijacked (these errors are plain HTTP errors).
   */
  checkStartable(id: string): { tty: boolean } {
    const e = this.get(id);
    const c = this.store.get(e.containerId);
    if (!c) throw RpcError.notFound(`No such container: ${id}`);
    const s = c.record.State.Status;
    if (s !== 'running' && s !== 'paused' && s !== 'restarting') throw RpcError.conflict(`Container ${c.record.Id} is not running`);
    if (s === 'paused') throw RpcError.conflict(`Container ${c.record.Id} is paused, unpause the container before exec`);
    if (s === 'restarting') throw RpcError.conflict(`Container ${c.record.Id} is restarting, wait until the container is running`);
    return { tty: e.tty };
  }

  private dropExecId(containerId: string, execId: string): void {
    this.store.update(containerId, (r) => (r.ExecIDs?.includes(execId) ? { ...r, ExecIDs: r.ExecIDs.filter((x) => x !== execId) } : undefined));
  }

  private forgetLater(id: string): void {
    setTimeout(() => this.execs.delete(id), EXITED_RETENTION_MS).unref();
  }

  /**
   * Starts an exec. Detached: resolves once the process runs. Attached:
   * resolves once it runs, with the handle for stdin and the session's end;
   * output goes to `onOutput` from the first byte.
   */
  async start(id: string, o: StartOptions): Promise<AttachedExec> {
    this.checkStartable(id);
    const e = this.get(id);
    if (e.exitCode !== null) throw RpcError.conflict(`Error: Exec command ${e.id} has already run`);
    if (e.started) throw RpcError.conflict(`Error: Exec command ${e.id} is already running`);
    e.started = true;
    e.running = true;
    const container = this.store.get(e.containerId)!.record;
    this.emit(container, `exec_start: ${e.entrypoint} ${e.args.join(' ')}`, { execID: e.id });

    let proc: ConmonExec | undefined;
    try {
      const spec = JSON.parse(await fs.promises.readFile(path.join(this.paths.bundle(e.containerId), 'config.json'), 'utf8')) as OciSpec;
      const consoleSize = e.tty ? (o.consoleSize && o.consoleSize.height > 0 && o.consoleSize.width > 0 ? o.consoleSize : e.consoleSize) : undefined;
      const processSpec = buildExecProcess(spec.process, {
        entrypoint: e.entrypoint,
        args: e.args,
        env: e.env,
        workingDir: e.workingDir,
        tty: e.tty,
        privileged: e.privileged,
        user: e.user,
        consoleSize,
      }, e.user ? this.resolveExecUser(container, e.user) : undefined);
      const dir = path.join(this.execRoot, e.id);
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
      proc = await ConmonExec.launch({
        containerId: e.containerId,
        execId: e.id,
        runcRoot: this.paths.runcRoot,
        dir,
        socketDir: this.paths.socketDir,
        process: processSpec,
        stdin: !o.detach && e.openStdin,
        conmonBinary: this.binaries.conmon,
        runtimeBinary: this.binaries.runtime,
      });
      e.process = proc;
      let forward = !o.detach;
      if (!o.detach) {
        proc.on('output', (stream: 1 | 2, data: Buffer) => {
          if (!forward) return;
          if ((stream === 1 && e.openStdout) || (stream === 2 && e.openStderr)) o.onOutput?.(stream, data);
        });
        // even without any stream wanted the socket is how conmon hands over stdin
        await proc.attach();
      }
      e.pid = await proc.start();
      e.markReady();
      const exited = this.watchExit(e, container, proc);

      let detachResolve: (v: undefined) => void = () => undefined;
      const detached = new Promise<undefined>((resolve) => {
        detachResolve = resolve;
      });
      // dockerd watches a TTY's stdin for the detach keys, ctrl-p,ctrl-q when the exec names none
      const detector = e.tty ? new DetachWatcher(e.detachKeys.length > 0 ? e.detachKeys : parseDetachKeys(DEFAULT_DETACH_KEYS)) : undefined;
      const detach = (event: boolean) => {
        if (!forward) return;
        forward = false;
        if (event) this.emit(container, 'exec_detach', { execID: e.id });
        detachResolve(undefined);
      };
      return {
        write: (data: Buffer) => {
          if (!forward || !e.openStdin) return true;
          const { forward: pass, detach: typed } = detector ? detector.feed(data) : { forward: data, detach: false };
          const room = pass.length > 0 ? proc!.write(pass) : true;
          if (typed) detach(true);
          return room || !forward;
        },
        onDrain: (fn: () => void) => proc!.onDrain(fn),
        closeStdin: () => {
          // dockerd copies (and so watches) the client's stdin only for an exec that asked for it
          if (!forward || !e.openStdin) return;
          // dockerd: without a TTY the process's stdin closes; with one, the streams close instead
          if (e.tty) detach(false);
          else proc!.closeStdin();
        },
        abandon: () => {
          if (!forward) return;
          if (!e.tty && e.openStdin) proc!.closeStdin();
          detach(false);
        },
        kill: (sig: NodeJS.Signals) => proc!.kill(sig),
        done: Promise.race([exited, detached]),
      };
    } catch (err) {
      e.running = false;
      e.process = undefined;
      e.markReady();
      this.dropExecId(e.containerId, e.id);
      proc?.kill('SIGKILL');
      proc?.cleanup();
      this.forgetLater(e.id);
      if (err instanceof ExecStartError) {
        const f = startFailure(err.message, 'exec');
        e.exitCode = f.exitCode;
        throw f.error;
      }
      e.exitCode = 126;
      throw err;
    }
  }

  /** Records the exit (before anyone learns the session is over, so inspect sees the code) and cleans up. */
  private async watchExit(e: ExecRecord, container: ContainerRecord, proc: ConmonExec): Promise<number> {
    let code: number;
    try {
      code = await proc.finished();
    } catch (err) {
      this.logger.warn('exec ended without an exit code', { exec: e.id, error: err instanceof Error ? err.message : String(err) });
      code = -1;
    }
    e.exitCode = code;
    e.running = false;
    e.process = undefined;
    proc.cleanup();
    this.dropExecId(e.containerId, e.id);
    this.emit(container, 'exec_die', { execID: e.id, exitCode: String(code) });
    this.forgetLater(e.id);
    return code;
  }

  /**
   * `POST /exec/{id}/resize`, answered as dockerd does: the container must be
   * running; a start in progress is waited for (up to 10 s: the CLI resizes
   * right after its start request); an exec that failed to start is a 400 and
   * one that has exited a 404 "no such exec" (containerd's answer, seen on
   * dockerd 20.10).
   */
  async resize(id: string, height: number, width: number): Promise<void> {
    const e = this.get(id);
    this.checkStartable(id);
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      e.ready.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), RESIZE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!ready) throw RpcError.internal('timeout waiting for exec session ready');
    const proc = e.process;
    if (!proc) {
      if (e.pid > 0) throw RpcError.notFound('no such exec');
      throw RpcError.invalidArgument('exec process is not started');
    }
    if (!e.tty) return;
    await proc.resize(height, width).catch((err: unknown) => {
      // conmon went away meanwhile: the process ended
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENXIO' || code === 'ENOENT') throw RpcError.notFound('no such exec');
      throw err;
    });
  }
}
