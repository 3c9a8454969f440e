import type { ContainerUpdateRequest } from '@berth/engine-api';
import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { KeyedLock } from '@berth/storage';
import type { ContainerExits } from '../containers/container-exits';
import type { ContainerPaths } from '../containers/container-paths';
import type { ContainerStore } from '../containers/container-store';
import type { AttachLink } from './attach-link';
import { ContainerMonitor } from './container-monitor';
import { ContainerRemover } from './container-remover';
import { ContainerRestorer } from './container-restorer';
import type { ContainerRuntime } from './container-runtime';
import { ContainerSetup } from './container-setup';
import { ContainerStarter } from './container-starter';
import { ContainerUpdater } from './container-updater';
import { ExitSignals } from './exit-signals';
import type { LifecycleObserver } from './lifecycle-observer';
import { isActive, LifecycleRecords } from './lifecycle-records';
import type { NetworkLink } from './network-link';
import { NetworkChanges } from './network-changes';
import type { NetworkResolver } from '../containers/network-plan';
import { RestartSchedule } from './restart-schedule';
import type { RootfsLink } from './rootfs-link';
import { ContainerStateChanges } from './state-changes';
import { ContainerTeardown } from './teardown';
import type { VolumeMounts } from './volume-mounts';
import { WaitResult, Waiters } from './waiters';

export type { LifecycleObserver as LifecycleHooks } from './lifecycle-observer';

/** What the lifecycle works with; everything outside this process is behind an interface. */
export interface LifecycleDeps {
  store: ContainerStore;
  paths: ContainerPaths;
  runtime: ContainerRuntime;
  rootfs: RootfsLink;
  volumes: VolumeMounts;
  network: NetworkLink;
  /** network-service's InspectNetwork: connect and disconnect name networks. */
  networks: NetworkResolver;
  attach: AttachLink;
  exits: ContainerExits;
  events: EventSink;
  logger: Logger;
  observer?: LifecycleObserver;
}

/**
 * Starts, stops and watches containers (moby's daemon split the same way):
 * start with its undo (container-starter.ts), exits and restart policies
 * (container-monitor.ts), stop/kill/pause (state-changes.ts), removal,
 * update and live restore. This class only puts the parts together and
 * takes the container's lock where a request begins.
 */
export class ContainerLifecycle {
  readonly waiters = new Waiters();
  private readonly lock = new KeyedLock();
  private readonly records: LifecycleRecords;
  private readonly restarts = new RestartSchedule();
  private readonly monitor: ContainerMonitor;
  private readonly stateChanges: ContainerStateChanges;
  private readonly remover: ContainerRemover;
  private readonly updater: ContainerUpdater;
  private readonly restorer: ContainerRestorer;
  private readonly networkChanges: NetworkChanges;
  private readonly logger: Logger;

  constructor(d: LifecycleDeps) {
    const observer = d.observer ?? {};
    const exitSignals = new ExitSignals();
    this.logger = d.logger;
    this.records = new LifecycleRecords(d.store, d.events, d.logger);
    const teardown = new ContainerTeardown(d.runtime, d.network, d.volumes, d.rootfs, observer, d.logger);
    this.stateChanges = new ContainerStateChanges(this.records, this.lock, d.runtime, this.restarts, exitSignals);
    this.remover = new ContainerRemover(this.records, this.lock, d.paths, d.runtime, teardown, this.stateChanges, this.restarts, d.attach, d.rootfs, d.volumes, this.waiters, d.exits, observer);
    const setup = new ContainerSetup(d.paths, d.rootfs, d.network, d.volumes, d.store);
    const starter = new ContainerStarter(this.records, d.paths, setup, d.runtime, d.attach, this.remover, observer, d.logger);
    this.monitor = new ContainerMonitor(this.records, this.lock, d.runtime, starter, teardown, this.restarts, this.remover, exitSignals, this.waiters, d.exits, d.logger);
    this.updater = new ContainerUpdater(this.records, this.lock, d.paths, d.runtime);
    this.networkChanges = new NetworkChanges(this.records, d.network, d.networks, d.paths);
    this.restorer = new ContainerRestorer(this.records, this.lock, d.runtime, this.monitor, d.rootfs, d.volumes, observer, d.logger);
  }

  /** False when the container was already running (dockerd's 304). */
  start(id: string): Promise<boolean> {
    return this.lock.run(id, async () => {
      const r = this.records.get(id);
      if (r.State.Status === 'paused') throw RpcError.conflict('cannot start a paused container, try unpause instead');
      if (r.State.Status === 'running') return false;
      if (r.State.Status === 'removing' || r.State.Status === 'dead') throw RpcError.conflict(`container is marked for removal and cannot be started`);
      this.restarts.cancel(id);
      this.restarts.allowNext(id);
      await this.monitor.launch(r, false);
      return true;
    });
  }

  /** False when the container was not running (dockerd's 304). */
  stop(id: string, timeoutSec: number | undefined, signalName: string): Promise<boolean> {
    return this.stateChanges.stop(id, timeoutSec, signalName);
  }

  kill(id: string, signalName: string): Promise<void> {
    return this.stateChanges.kill(id, signalName);
  }

  async restart(id: string, timeoutSec: number | undefined, signalName: string): Promise<void> {
    await this.stateChanges.stop(id, timeoutSec, signalName);
    await this.lock.run(id, async () => {
      const r = this.records.get(id);
      if (r.State.Status === 'running') return;
      this.restarts.cancel(id);
      this.restarts.allowNext(id);
      await this.monitor.launch(r, false);
      this.records.emit('restart', this.records.get(id));
    });
  }

  pause(id: string): Promise<void> {
    return this.stateChanges.pause(id);
  }

  unpause(id: string): Promise<void> {
    return this.stateChanges.unpause(id);
  }

  async wait(id: string, condition: string, signal?: AbortSignal): Promise<WaitResult> {
    const r = this.records.get(id);
    if (condition === 'removed') return this.waiters.removal(r.Id, signal);
    if (condition === 'next-exit') return this.waiters.nextStop(r.Id, signal);
    if (!isActive(r.State.Status)) return { statusCode: r.State.ExitCode ?? 0, error: '' };
    return this.waiters.nextStop(r.Id, signal);
  }

  remove(id: string, force: boolean, removeVolumes: boolean): Promise<void> {
    return this.remover.remove(id, force, removeVolumes);
  }

  /** `docker network connect`: `endpointConfig` is the request's EndpointConfig. */
  connectNetwork(id: string, network: string, endpointConfig: Record<string, unknown>): Promise<void> {
    return this.lock.run(id, () => this.networkChanges.connect(id, network, endpointConfig));
  }

  disconnectNetwork(id: string, network: string, force: boolean): Promise<void> {
    return this.lock.run(id, () => this.networkChanges.disconnect(id, network, force));
  }

  update(id: string, body: ContainerUpdateRequest): Promise<string[]> {
    return this.updater.update(id, body);
  }

  resize(id: string, height: number, width: number): void {
    this.updater.resize(id, height, width);
  }

  /** Live restore after a restart of this service; then policies `always` and `unless-stopped` bring stopped containers back. */
  async restore(): Promise<void> {
    for (const id of await this.restorer.restore()) {
      await this.start(id).catch((err: unknown) => this.logger.warn('restart at restore failed', { container: id, error: String(err) }));
    }
  }

  /** Service shutdown: containers keep running; only timers stop. */
  close(): void {
    this.restarts.close();
  }

  /** Nest's start-up hook: containers that ran on while this service was down are picked up again. */
  onApplicationBootstrap(): void {
    this.restore().catch((err: unknown) => this.logger.error('restore failed', { error: err instanceof Error ? err.message : String(err) }));
  }

  onModuleDestroy(): void {
    this.close();
  }
}
