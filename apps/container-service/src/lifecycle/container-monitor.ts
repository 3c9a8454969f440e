import type { Logger } from '@berth/logging';
import type { ContainerRecord } from '../containers/container-record';
import type { KeyedLock } from '@berth/storage';
import type { ContainerExits } from '../containers/container-exits';
import { rfc3339Nano } from '../containers/time';
import type { ContainerRuntime } from './container-runtime';
import type { ContainerStarter, LockedRemoval } from './container-starter';
import type { ExitSignals } from './exit-signals';
import { isActive, LifecycleRecords } from './lifecycle-records';
import { stoppedNetworkSettings } from './network-link';
import { RestartPolicy, shouldRestart } from './restart-policy';
import type { RestartSchedule } from './restart-schedule';
import type { ContainerTeardown } from './teardown';
import type { Waiters } from './waiters';

/**
 * Watches running containers for their exit and handles it as dockerd's
 * monitor does: teardown, the record and events, waiters woken, then the
 * restart policy (with backoff) or AutoRemove.
 */
export class ContainerMonitor {
  private readonly watched = new Set<string>();

  constructor(
    private readonly records: LifecycleRecords,
    private readonly lock: KeyedLock,
    private readonly runtime: ContainerRuntime,
    private readonly starter: ContainerStarter,
    private readonly teardown: ContainerTeardown,
    private readonly restarts: RestartSchedule,
    private readonly removal: LockedRemoval,
    private readonly exitSignals: ExitSignals,
    private readonly waiters: Waiters,
    private readonly exits: ContainerExits,
    private readonly logger: Logger,
  ) {}

  /** Starts the container and watches it (the lock is held). */
  async launch(r: ContainerRecord, policyRestart: boolean): Promise<void> {
    await this.starter.run(r, policyRestart);
    this.watch(r.Id);
  }

  /** Waits for the runtime to report the exit, then handles it under the container's lock. */
  watch(id: string): void {
    if (this.watched.has(id)) return;
    this.watched.add(id);
    this.runtime.waitForExit(id).then(
      (code) => {
        this.watched.delete(id);
        void this.lock.run(id, () => this.handleExit(id, code)).catch((err: unknown) => {
          this.logger.error('exit handling failed', { container: id, error: err instanceof Error ? err.message : String(err) });
        });
      },
      (err: unknown) => {
        this.watched.delete(id);
        this.logger.error('watching for exit failed', { container: id, error: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  /** The lock is held. */
  async handleExit(id: string, exitCode: number): Promise<void> {
    const current = this.records.find(id);
    if (!current || !isActive(current.State.Status) || current.State.Status === 'restarting') {
      this.exitSignals.wake(id);
      return;
    }
    const r = current;
    const oom = this.runtime.oomKilled(id);
    // As dockerd: the network, mounts and runtime state are released before
    // anyone learns of the exit, so a returned `docker stop` left nothing behind.
    await this.teardown.run(r);
    this.runtime.clearExit(id);
    const ranMs = Date.now() - Date.parse(r.State.StartedAt ?? new Date().toISOString());
    const policy = r.HostConfig.RestartPolicy as RestartPolicy | undefined;
    const prevented = this.restarts.takePrevented(id);
    const restart = !this.restarts.closing && shouldRestart(policy, exitCode, r.RestartCount ?? 0, prevented, r.ManuallyStopped === true);
    const finished = this.records.setState(id, (s) => {
      s.Status = restart ? 'restarting' : 'exited';
      s.Pid = 0;
      s.ExitCode = exitCode;
      s.OOMKilled = oom;
      s.FinishedAt = rfc3339Nano();
    }, (rec) => {
      rec.NetworkSettings = stoppedNetworkSettings(rec.NetworkSettings);
      rec.NetnsPath = undefined;
    });
    if (oom) this.records.emit('oom', finished);
    this.records.emit('die', finished, { exitCode: String(exitCode), execDuration: String(Math.max(0, Math.round(ranMs / 1000))) });
    this.exits.notify(id);
    this.waiters.stopped(id, { statusCode: exitCode, error: '' });
    this.exitSignals.wake(id);

    if (restart) {
      this.restarts.schedule(id, ranMs, () => this.restartNow(id));
      return;
    }
    if (r.HostConfig.AutoRemove === true) {
      await this.removal.removeLocked(id, true).catch((err: unknown) => this.logger.warn('auto-remove failed', { container: id, error: String(err) }));
    }
  }

  /** The backoff is over: start again unless someone stopped or removed it meanwhile. */
  private restartNow(id: string): void {
    void this.lock.run(id, async () => {
      const rec = this.records.find(id);
      if (!rec || rec.State.Status !== 'restarting') return;
      try {
        await this.launch(rec, true);
      } catch (err) {
        this.logger.warn('restart failed', { container: id, error: (err as Error).message });
        this.records.setState(id, (s) => {
          s.Status = 'exited';
        });
      }
    });
  }
}
