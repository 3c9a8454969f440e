import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerRecord, ContainerState } from '@berth/engine-api';
import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { KeyedLock, writeFileAtomic } from '@berth/storage';
import type { ContainerConfig } from '../containers/config-merge';
import { emitContainerEvent } from '../containers/container-events';
import type { ContainerExits } from '../containers/container-exits';
import type { ContainerPaths } from '../containers/container-paths';
import type { ContainerStore } from '../containers/container-store';
import { rfc3339Nano } from '../containers/time';
import type { AttachHub } from '../attach/attach-hub';
import type { RootfsManager } from '../rootfs/rootfs-manager';
import { processAlive, readPidFile, readTextFile } from '@berth/host';
import { ConmonError, createContainer, readExitCode, waitForExit } from '../runtime/conmon';
import { startFailure } from '../runtime/start-failure';
import { buildOciSpec } from '../runtime/oci-spec';
import { Runc } from '../runtime/runc';
import { parseSignal } from '../runtime/signals';
import { resolveUser, UserError } from '../runtime/users';
import { hostNetworkHostsFile, hostnameFile, hostsFile, resolvConf } from './etc-files';
import { NetworkLink, stoppedNetworkSettings } from './network-link';
import { nextBackoff, RestartPolicy, shouldRestart, validateRestartPolicy } from './restart-policy';
import { specInputFor } from './spec-input';
import type { ContainerMount, VolumeLinks } from './volume-links';
import { WaitResult, Waiters } from './waiters';

type Record_ = ContainerRecord<ContainerConfig>;

/** Runtime bookkeeping the record keeps beside Docker's fields. */
export interface RuntimeFields {
  /** Mounts as planned at create, volume names settled. */
  MountPlan?: ContainerMount[];
  /** Set by stop and by kill (dockerd's HasBeenManuallyStopped): unless-stopped stays down. */
  ManuallyStopped?: boolean;
}

/** Hooks run at each start and stop (health checks). */
export interface LifecycleHooks {
  started?(record: ContainerRecord): void;
  /** A running container found again after a restart of this service. */
  restored?(record: ContainerRecord): void;
  stopped?(id: string): void;
}

/** HostConfig fields `docker update` may change (dockerd's UpdateConfig Resources). */
const UPDATABLE = ['CpuShares', 'Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight', 'KernelMemory'];

function runtimeFields(r: ContainerRecord): RuntimeFields {
  return r as unknown as RuntimeFields;
}

function isActive(status: string): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}

/**
 * Starts, stops and watches containers: the overlay, volumes and network
 * around runc under conmon, the exit handling with restart policies and
 * AutoRemove, and the reconciliation after a restart of this service.
 */
export class ContainerLifecycle {
  private readonly lock = new KeyedLock();
  private readonly runc: Runc;
  readonly waiters = new Waiters();
  /** Containers whose next exit must not restart them (dockerd's ExitOnNext). */
  private readonly exitOnNext = new Set<string>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly backoff = new Map<string, number>();
  private readonly monitored = new Set<string>();
  private readonly exitWaits = new Map<string, Set<() => void>>();
  private closing = false;

  constructor(
    private readonly store: ContainerStore,
    private readonly paths: ContainerPaths,
    private readonly rootfs: RootfsManager,
    private readonly volumes: VolumeLinks,
    private readonly network: NetworkLink,
    private readonly attach: AttachHub,
    private readonly exits: ContainerExits,
    private readonly events: EventSink,
    private readonly logger: Logger,
    private readonly hooks: LifecycleHooks = {},
  ) {
    this.runc = new Runc(paths.runcRoot);
  }

  setHooks(hooks: LifecycleHooks): void {
    Object.assign(this.hooks, hooks);
  }

  private get(id: string): Record_ {
    const c = this.store.get(id);
    if (!c) throw RpcError.notFound(`No such container: ${id}`);
    return c.record as Record_;
  }

  private emit(action: string, record: ContainerRecord, extra: Record<string, string> = {}): void {
    emitContainerEvent(this.events, this.logger, action, record, extra);
  }

  private setState(id: string, fn: (s: ContainerState, r: Record_) => void, more?: (r: Record_) => void): Record_ {
    const updated = this.store.update(id, (r) => {
      const next = { ...r, State: { ...r.State } } as Record_;
      fn(next.State, next);
      more?.(next);
      return next;
    });
    if (!updated) throw RpcError.notFound(`No such container: ${id}`);
    return updated as Record_;
  }

  // ---- start ----

  /** False when the container was already running (dockerd's 304). */
  start(id: string): Promise<boolean> {
    return this.lock.run(id, async () => {
      const r = this.get(id);
      if (r.State.Status === 'paused') throw RpcError.conflict('cannot start a paused container, try unpause instead');
      if (r.State.Status === 'running') return false;
      if (r.State.Status === 'removing' || r.State.Status === 'dead') throw RpcError.conflict(`container is marked for removal and cannot be started`);
      this.cancelRestart(id);
      this.exitOnNext.delete(id);
      await this.run(r, false);
      return true;
    });
  }

  /** Everything a start does; on failure undoes it and records the error (status stays as it was). */
  private async run(r: Record_, policyRestart: boolean): Promise<void> {
    const id = r.Id;
    const hc = r.HostConfig;
    const plan = runtimeFields(r).MountPlan ?? [];
    const undo: (() => Promise<void>)[] = [];
    try {
      const marks: [string, number][] = [['begin', Date.now()]];
      const mark = (what: string) => marks.push([what, Date.now()]);
      // The overlay and the network namespace do not depend on each other.
      const [rootfsRes, netRes] = await Promise.allSettled([this.rootfs.acquire(id, r.LayerPaths ?? []), this.network.attach(r)]);
      if (rootfsRes.status === 'fulfilled') undo.push(() => this.rootfs.release(id));
      if (netRes.status === 'fulfilled') undo.push(() => this.network.detach(id));
      if (rootfsRes.status === 'rejected') throw rootfsRes.reason;
      if (netRes.status === 'rejected') throw netRes.reason;
      const rootfs = rootfsRes.value;
      const net = netRes.value;
      mark('rootfs+network');
      let user;
      try {
        user = resolveUser(rootfs, r.Config.User ?? '', (hc.GroupAdd as string[] | null) ?? []);
      } catch (err) {
        if (err instanceof UserError) throw Object.assign(new Error(`unable to find user ${err.message.replace(/^unable to find (user|group) /, '')}`), { userError: err.message });
        throw err;
      }
      if (r.Config.WorkingDir) {
        const wd = path.join(rootfs, r.Config.WorkingDir);
        if (!fs.existsSync(wd)) {
          fs.mkdirSync(wd, { recursive: true, mode: 0o755 });
          fs.chownSync(wd, user.uid, user.gid);
        }
      }
      const mounts = await this.volumes.mountAll(id, plan, rootfs);
      undo.push(() => this.volumes.unmountAll(id, plan));
      mark('volumes');

      const dir = this.paths.dir(id);
      const hostname = r.Config.Hostname || id.slice(0, 12);
      const extraHosts = (hc.ExtraHosts as string[] | null) ?? [];
      const hosts = net.hostNetwork
        ? hostNetworkHostsFile(await readTextFile('/etc/hosts'), extraHosts, net.gateway)
        : hostsFile({ hostname, domainname: r.Config.Domainname, ipAddress: net.ipAddress, extraHosts, hostGateway: net.gateway });
      fs.mkdirSync(dir, { recursive: true });
      writeFileAtomic(this.paths.hosts(id), hosts);
      writeFileAtomic(this.paths.hostname(id), hostnameFile(net.hostNetwork ? hostname : hostname));
      writeFileAtomic(
        this.paths.resolvConf(id),
        resolvConf(net.resolvConf, (hc.Dns as string[] | null) ?? [], (hc.DnsSearch as string[] | null) ?? [], (hc.DnsOptions as string[] | null) ?? []),
      );

      let spec;
      try {
        spec = buildOciSpec(
          specInputFor(r, {
            rootfs,
            user,
            mounts,
            netnsPath: net.netnsPath,
            hostNetwork: net.hostNetwork,
            hostsPath: this.paths.hosts(id),
            hostnamePath: this.paths.hostname(id),
            resolvConfPath: this.paths.resolvConf(id),
          }),
        );
      } catch (err) {
        throw RpcError.invalidArgument((err as Error).message);
      }
      const bundle = this.paths.bundle(id);
      fs.mkdirSync(bundle, { recursive: true });
      writeFileAtomic(path.join(bundle, 'config.json'), JSON.stringify(spec));

      mark('bundle');
      const created = await createContainer({
        id,
        bundle,
        runcRoot: this.paths.runcRoot,
        logPath: this.paths.log(id),
        exitDir: this.paths.exitDir,
        socketDir: this.paths.socketDir,
        pidFile: this.paths.pidFile(id),
        conmonPidFile: this.paths.conmonPidFile(id),
        terminal: r.Config.Tty === true,
        stdin: r.Config.OpenStdin === true,
        leaveStdinOpen: r.Config.OpenStdin === true && r.Config.StdinOnce !== true,
      });
      undo.push(() => this.runc.delete(id, true).catch(() => undefined));
      mark('create');
      await this.attach.connectWaiting(id);
      await this.runc.startViaFifo(id, created.pid);
      mark('start');
      this.logger.debug('started', { container: id, ms: Object.fromEntries(marks.slice(1).map(([k, t], i) => [k, t - marks[i][1]])) });

      const updated = this.setState(
        id,
        (s) => {
          s.Status = 'running';
          s.Pid = created.pid;
          s.ExitCode = 0;
          s.Error = '';
          s.OOMKilled = false;
          s.StartedAt = rfc3339Nano();
          if (s.Health) s.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
        },
        (rec) => {
          rec.NetworkSettings = net.settings;
          rec.ResolvConfPath = this.paths.resolvConf(id);
          rec.HostnamePath = this.paths.hostname(id);
          rec.HostsPath = this.paths.hosts(id);
          rec.LogPath = this.paths.log(id);
          if (policyRestart) rec.RestartCount = (rec.RestartCount ?? 0) + 1;
          (rec as unknown as RuntimeFields).ManuallyStopped = false;
        },
      );
      this.emit('start', updated);
      this.monitor(id);
      this.hooks.started?.(updated);
    } catch (err) {
      for (const u of undo.reverse()) await u().catch(() => undefined);
      const message = err instanceof ConmonError ? err.output || err.message : err instanceof Error ? err.message : String(err);
      const userError = (err as { userError?: string }).userError;
      let failure: { exitCode: number; error: RpcError };
      if (userError) failure = startFailure(`unable to start container process: ${userError}`, 'create');
      else if (err instanceof RpcError) failure = { exitCode: 128, error: err };
      else if (err instanceof ConmonError) failure = startFailure(message, 'create');
      else failure = { exitCode: 128, error: RpcError.internal(message) };
      this.store.update(id, (rec) => ({ ...rec, State: { ...rec.State, ExitCode: failure.exitCode, Error: failure.error.message } }));
      // dockerd removes an AutoRemove container whose start failed; `docker run --rm` waits for that.
      if (r.HostConfig.AutoRemove === true && !policyRestart) {
        await this.removeLocked(id, true).catch((e: unknown) => this.logger.warn('auto-remove failed', { container: id, error: String(e) }));
      }
      throw failure.error;
    }
  }

  // ---- exits ----

  /** Watches for conmon's exit file; on exit runs the exit handling. */
  private monitor(id: string): void {
    if (this.monitored.has(id)) return;
    this.monitored.add(id);
    waitForExit(this.paths.exitDir, id).then(
      (code) => {
        this.monitored.delete(id);
        void this.lock.run(id, () => this.handleExit(id, code)).catch((err: unknown) => {
          this.logger.error('exit handling failed', { container: id, error: err instanceof Error ? err.message : String(err) });
        });
      },
      (err: unknown) => {
        this.monitored.delete(id);
        this.logger.error('watching for exit failed', { container: id, error: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  /** Resolves after the next exit handling of `id` finished, or after `ms`; true when it exited. */
  private exited(id: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.exitWaits.get(id);
      if (!set) this.exitWaits.set(id, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set!.delete(done);
        resolve(true);
      };
      const timer = ms < 0 ? undefined : setTimeout(() => {
        set!.delete(done);
        resolve(false);
      }, ms);
      set.add(done);
    });
  }

  private oomKilled(id: string): boolean {
    try {
      const text = fs.readFileSync(path.join(this.paths.cgroup(id, 'memory'), 'memory.oom_control'), 'utf8');
      const m = /oom_kill (\d+)/.exec(text);
      return m !== null && Number(m[1]) > 0;
    } catch {
      return false;
    }
  }

  /** Tears down what a start set up (the container's process is gone). */
  private async teardown(r: Record_): Promise<void> {
    const id = r.Id;
    this.hooks.stopped?.(id);
    // The process is gone: runtime state, network, volumes and overlay come down independently.
    await Promise.all([
      this.runc.delete(id, true).catch(() => undefined),
      this.network.detach(id).catch((err: unknown) => this.logger.warn('network detach failed', { container: id, error: String(err) })),
      this.volumes.unmountAll(id, runtimeFields(r).MountPlan ?? []),
      this.rootfs.release(id).catch((err: unknown) => this.logger.warn('rootfs unmount failed', { container: id, error: String(err) })),
    ]);
    for (const f of [this.paths.pidFile(id), this.paths.conmonPidFile(id)]) fs.rmSync(f, { force: true });
  }

  private async handleExit(id: string, exitCode: number): Promise<void> {
    const current = this.store.get(id);
    if (!current || !isActive(current.record.State.Status) || current.record.State.Status === 'restarting') {
      this.wakeExit(id);
      return;
    }
    const r = current.record as Record_;
    const oom = this.oomKilled(id);
    // As dockerd: the network, mounts and runtime state are released before
    // anyone learns of the exit, so a returned `docker stop` left nothing behind.
    await this.teardown(r);
    fs.rmSync(this.paths.exitFile(id), { force: true });
    const ranMs = Date.now() - Date.parse(r.State.StartedAt ?? new Date().toISOString());
    const policy = r.HostConfig.RestartPolicy as RestartPolicy | undefined;
    const restart = !this.closing && shouldRestart(policy, exitCode, r.RestartCount ?? 0, this.exitOnNext.has(id), runtimeFields(r).ManuallyStopped === true);
    this.exitOnNext.delete(id);
    const finished = this.setState(id, (s) => {
      s.Status = restart ? 'restarting' : 'exited';
      s.Pid = 0;
      s.ExitCode = exitCode;
      s.OOMKilled = oom;
      s.FinishedAt = rfc3339Nano();
    }, (rec) => {
      rec.NetworkSettings = stoppedNetworkSettings(rec.NetworkSettings);
    });
    if (oom) this.emit('oom', finished);
    this.emit('die', finished, { exitCode: String(exitCode), execDuration: String(Math.max(0, Math.round(ranMs / 1000))) });
    this.exits.notify(id);
    this.waiters.stopped(id, { statusCode: exitCode, error: '' });
    this.wakeExit(id);

    if (restart) {
      const delay = nextBackoff(this.backoff.get(id) ?? 0, ranMs);
      this.backoff.set(id, delay);
      this.restartTimers.set(
        id,
        setTimeout(() => {
          this.restartTimers.delete(id);
          void this.lock.run(id, async () => {
            const rec = this.store.get(id)?.record as Record_ | undefined;
            if (!rec || rec.State.Status !== 'restarting') return;
            try {
              await this.run(rec, true);
            } catch (err) {
              this.logger.warn('restart failed', { container: id, error: (err as Error).message });
              this.setState(id, (s) => {
                s.Status = 'exited';
              });
            }
          });
        }, delay),
      );
      return;
    }
    if (r.HostConfig.AutoRemove === true) {
      await this.removeLocked(id, true).catch((err: unknown) => this.logger.warn('auto-remove failed', { container: id, error: String(err) }));
    }
  }

  private wakeExit(id: string): void {
    const set = this.exitWaits.get(id);
    this.exitWaits.delete(id);
    for (const fn of set ?? []) fn();
  }

  private cancelRestart(id: string): boolean {
    const t = this.restartTimers.get(id);
    if (!t) return false;
    clearTimeout(t);
    this.restartTimers.delete(id);
    return true;
  }

  // ---- stop, kill, restart ----

  private signalOf(raw: string): number {
    try {
      return parseSignal(raw);
    } catch (err) {
      throw RpcError.invalidArgument((err as Error).message);
    }
  }

  /** Sends a signal (the lock is held). */
  private async signal(r: Record_, sig: number): Promise<void> {
    const stopSignal = r.Config.StopSignal ? this.signalOf(r.Config.StopSignal) : undefined;
    if (sig === 9 || stopSignal === undefined || stopSignal === sig) this.exitOnNext.add(r.Id);
    this.store.update(r.Id, (rec) => ({ ...rec, ManuallyStopped: true }) as ContainerRecord);
    this.emit('kill', r, { signal: String(sig) });
    await this.runc.kill(r.Id, sig).catch((err: unknown) => {
      if (r.State.Status !== 'paused') throw RpcError.internal(`Cannot kill container: ${r.Id}: ${(err as Error).message}`);
    });
    if (r.State.Status === 'paused' && this.exitOnNext.has(r.Id)) {
      await this.runc.resume(r.Id).catch(() => undefined);
    }
  }

  /** False when the container was not running (dockerd's 304). */
  async stop(id: string, timeoutSec: number | undefined, signalName: string): Promise<boolean> {
    const r0 = this.get(id);
    const timeout = timeoutSec ?? (typeof r0.Config.StopTimeout === 'number' ? r0.Config.StopTimeout : 10);
    const sig = this.signalOf(signalName || r0.Config.StopSignal || 'SIGTERM');
    const proceed = await this.lock.run(id, async () => {
      const r = this.get(id);
      if (r.State.Status === 'restarting') {
        this.cancelRestart(id);
        const s = this.setState(id, (st) => {
          st.Status = 'exited';
        }, (rec) => {
          (rec as unknown as RuntimeFields).ManuallyStopped = true;
        });
        this.emit('stop', s);
        return 'done' as const;
      }
      if (r.State.Status !== 'running' && r.State.Status !== 'paused') return 'not-running' as const;
      // Wrapped: a promise returned from the locked task would be awaited under the lock,
      // and the exit handling it waits for needs that lock.
      const exit = this.exited(id, timeout < 0 ? -1 : timeout * 1000);
      await this.signal(r, sig);
      return { exit };
    });
    if (proceed === 'not-running') return false;
    if (proceed !== 'done') {
      const exitedInTime = await proceed.exit;
      if (!exitedInTime) {
        const killed = await this.lock.run(id, async () => {
          const r = this.get(id);
          if (r.State.Status !== 'running' && r.State.Status !== 'paused') return undefined;
          const exit = this.exited(id, 30_000);
          await this.signal(r, 9);
          return { exit };
        });
        if (killed) await killed.exit;
      }
      const after = this.store.get(id);
      if (after) this.emit('stop', after.record);
    }
    return true;
  }

  async kill(id: string, signalName: string): Promise<void> {
    const sig = this.signalOf(signalName || 'SIGKILL');
    await this.lock.run(id, async () => {
      const r = this.get(id);
      if (r.State.Status === 'restarting' && (sig === 9 || !r.Config.StopSignal)) {
        this.cancelRestart(id);
        this.setState(id, (s) => {
          s.Status = 'exited';
        });
        return;
      }
      if (r.State.Status !== 'running' && r.State.Status !== 'paused') {
        throw RpcError.conflict(`Cannot kill container: ${id}: Container ${r.Id} is not running`);
      }
      await this.signal(r, sig);
    });
  }

  async restart(id: string, timeoutSec: number | undefined, signalName: string): Promise<void> {
    await this.stop(id, timeoutSec, signalName);
    await this.lock.run(id, async () => {
      const r = this.get(id);
      if (r.State.Status === 'running') return;
      this.cancelRestart(id);
      this.exitOnNext.delete(id);
      await this.run(r, false);
      this.emit('restart', this.get(id));
    });
  }

  // ---- pause ----

  async pause(id: string): Promise<void> {
    await this.lock.run(id, async () => {
      const r = this.get(id);
      if (r.State.Status === 'paused') throw RpcError.conflict(`Container ${r.Id} is already paused`);
      if (r.State.Status !== 'running') throw RpcError.conflict(`Container ${r.Id} is not running`);
      await this.runc.pause(id);
      this.emit('pause', this.setState(id, (s) => { s.Status = 'paused'; }));
    });
  }

  async unpause(id: string): Promise<void> {
    await this.lock.run(id, async () => {
      const r = this.get(id);
      if (r.State.Status !== 'paused') throw RpcError.conflict(`Container ${r.Id} is not paused`);
      await this.runc.resume(id);
      this.emit('unpause', this.setState(id, (s) => { s.Status = 'running'; }));
    });
  }

  // ---- wait ----

  async wait(id: string, condition: string, signal?: AbortSignal): Promise<WaitResult> {
    const r = this.get(id);
    if (condition === 'removed') return this.waiters.removal(r.Id, signal);
    if (condition === 'next-exit') return this.waiters.nextStop(r.Id, signal);
    if (!isActive(r.State.Status)) return { statusCode: r.State.ExitCode ?? 0, error: '' };
    return this.waiters.nextStop(r.Id, signal);
  }

  // ---- remove ----

  async remove(id: string, force: boolean, removeVolumes: boolean): Promise<void> {
    const r0 = this.get(id);
    if (isActive(r0.State.Status)) {
      if (!force) {
        throw RpcError.conflict(`cannot remove container "/${r0.Name}": container is ${r0.State.Status}: stop the container before removing or force remove`);
      }
      await this.kill(id, 'SIGKILL').catch(() => undefined);
      const waiting = await this.lock.run(id, async () => {
        const r = this.get(id);
        return { exit: r.State.Status === 'running' || r.State.Status === 'paused' ? this.exited(id, 30_000) : Promise.resolve(true) };
      });
      await waiting.exit;
    }
    await this.lock.run(id, () => this.removeLocked(id, removeVolumes));
  }

  private async removeLocked(id: string, removeVolumes: boolean): Promise<void> {
    const current = this.store.get(id);
    if (!current) return;
    const r = current.record as Record_;
    if (r.State.Status === 'running' || r.State.Status === 'paused') {
      // The process would not die: take the runtime down by force.
      await this.runc.kill(id, 9, true).catch(() => undefined);
      await this.teardown(r);
    }
    this.cancelRestart(id);
    this.attach.release(id);
    await this.rootfs.forget(id);
    await this.volumes.unlink(id, runtimeFields(r).MountPlan ?? [], removeVolumes);
    if (!this.store.delete(id)) return;
    await fs.promises.rm(this.paths.dir(id), { recursive: true, force: true }).catch(() => undefined);
    fs.rmSync(this.paths.exitFile(id), { force: true });
    this.backoff.delete(id);
    this.emit('destroy', r);
    this.exits.notify(id);
    this.waiters.removedNow(id, { statusCode: r.State.ExitCode ?? 0, error: '' });
  }

  // ---- update ----

  /** `docker update`: resources and the restart policy; a running container's cgroups change at once. */
  async update(id: string, body: Record<string, unknown>): Promise<string[]> {
    return this.lock.run(id, async () => {
      const r = this.get(id);
      const hc = { ...r.HostConfig };
      if (body.RestartPolicy !== undefined && body.RestartPolicy !== null) {
        const p = body.RestartPolicy as RestartPolicy;
        if (hc.AutoRemove === true && p.Name && p.Name !== 'no') throw RpcError.invalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
        const err = validateRestartPolicy(p, false);
        if (err) throw RpcError.invalidArgument(err);
        hc.RestartPolicy = { Name: p.Name || 'no', MaximumRetryCount: p.MaximumRetryCount ?? 0 };
      }
      for (const key of UPDATABLE) {
        const v = body[key];
        if (v !== undefined && v !== null && !(typeof v === 'number' && v === 0 && hc[key] === undefined)) hc[key] = v;
      }
      const memory = Number(hc.Memory ?? 0);
      const swap = Number(hc.MemorySwap ?? 0);
      if (memory > 0 && swap > 0 && swap < memory) throw RpcError.invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
      if (r.State.Status === 'running' || r.State.Status === 'paused') {
        const spec = buildOciSpec(specInputFor({ ...r, HostConfig: hc }, {
          rootfs: this.paths.rootfs(id), user: { uid: 0, gid: 0, additionalGids: [], home: '/' }, mounts: [], hostNetwork: true,
          hostsPath: '', hostnamePath: '', resolvConfPath: '',
        }));
        const file = path.join(this.paths.bundle(id), 'update.json');
        const { devices: _devices, ...resources } = spec.linux.resources;
        writeFileAtomic(file, JSON.stringify({ ...resources, memory: resources.memory ?? {}, cpu: resources.cpu ?? {} }));
        await this.runc.update(id, file).catch((err: unknown) => {
          throw RpcError.internal(`Cannot update container ${id}: ${(err as Error).message}`);
        });
      }
      this.emit('update', this.store.update(id, (rec) => ({ ...rec, HostConfig: hc })) ?? r);
      return [];
    });
  }

  // ---- resize ----

  resize(id: string, height: number, width: number): void {
    const r = this.get(id);
    if (r.State.Status !== 'running' && r.State.Status !== 'paused') throw RpcError.conflict(`Container ${r.Id} is not running`);
    const ctl = path.join(this.paths.bundle(id), 'ctl');
    let fd: number | undefined;
    try {
      fd = fs.openSync(ctl, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      fs.writeSync(fd, `1 ${height} ${width}\n`);
    } catch (err) {
      throw RpcError.internal(`cannot resize: ${(err as Error).message}`);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  // ---- after a restart of this service ----

  /**
   * Live restore: containers whose conmon still runs are watched again; those
   * that exited meanwhile get their exit handled now (restart policy,
   * AutoRemove); policies `always` and `unless-stopped` bring stopped ones back.
   */
  async restore(): Promise<void> {
    for (const { record } of this.store.list()) {
      const r = record as Record_;
      const id = r.Id;
      try {
        if (isActive(r.State.Status) && r.State.Status !== 'restarting') {
          const code = await readExitCode(this.paths.exitDir, id);
          const conmonPid = await readPidFile(this.paths.conmonPidFile(id));
          if (code === undefined && conmonPid !== undefined && processAlive(conmonPid)) {
            this.rootfs.adopt(id);
            this.monitor(id);
            this.hooks.restored?.(r);
            continue;
          }
          await this.lock.run(id, () => this.handleExit(id, code ?? 255));
          continue;
        }
        if (r.State.Status === 'restarting') {
          await this.lock.run(id, async () => {
            try {
              await this.run(this.get(id), true);
            } catch {
              this.setState(id, (s) => { s.Status = 'exited'; });
            }
          });
          continue;
        }
        // A stopped container holds no volume mounts.
        await this.volumes.unmountAll(id, runtimeFields(r).MountPlan ?? []);
        const policy = (r.HostConfig.RestartPolicy as RestartPolicy | undefined)?.Name;
        if (r.State.Status === 'exited' && r.State.StartedAt && (policy === 'always' || (policy === 'unless-stopped' && !runtimeFields(r).ManuallyStopped))) {
          await this.start(id).catch((err: unknown) => this.logger.warn('restart at restore failed', { container: id, error: String(err) }));
        }
      } catch (err) {
        this.logger.warn('restore failed', { container: id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** Service shutdown: containers keep running; only timers stop. */
  close(): void {
    this.closing = true;
    for (const t of this.restartTimers.values()) clearTimeout(t);
    this.restartTimers.clear();
  }
}
