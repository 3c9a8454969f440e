import type { Logger } from '@berth/logging';
import type { KeyedLock } from '@berth/storage';
import type { ContainerMonitor } from './container-monitor';
import type { ContainerRuntime } from './container-runtime';
import type { LifecycleObserver } from './lifecycle-observer';
import { isActive, LifecycleRecords, mountPlan } from './lifecycle-records';
import type { RestartPolicy } from './restart-policy';
import type { RootfsLink } from './rootfs-link';
import type { VolumeMounts } from './volume-mounts';

/**
 * After a restart of this service (live restore): containers whose conmon
 * still runs are watched again; those that exited meanwhile get their exit
 * handled now (restart policy, AutoRemove); a container caught restarting
 * is started.
 */
export class ContainerRestorer {
  constructor(
    private readonly records: LifecycleRecords,
    private readonly lock: KeyedLock,
    private readonly runtime: ContainerRuntime,
    private readonly monitor: ContainerMonitor,
    private readonly rootfs: RootfsLink,
    private readonly volumes: VolumeMounts,
    private readonly observer: LifecycleObserver,
    private readonly logger: Logger,
  ) {}

  /** Reconciles every container; returns the stopped ones that policies `always` and `unless-stopped` bring back. */
  async restore(): Promise<string[]> {
    const toStart: string[] = [];
    for (const r of this.records.list()) {
      const id = r.Id;
      try {
        if (isActive(r.State.Status) && r.State.Status !== 'restarting') {
          const code = await this.runtime.exitCode(id);
          if (code === undefined && (await this.runtime.monitorAlive(id))) {
            this.rootfs.adopt(id);
            this.monitor.watch(id);
            this.observer.restored?.(r);
            continue;
          }
          // the monitor is gone without recording an exit: the code is unknown (255)
          await this.lock.run(id, () => this.monitor.handleExit(id, code ?? 255));
          continue;
        }
        if (r.State.Status === 'restarting') {
          await this.lock.run(id, async () => {
            try {
              await this.monitor.launch(this.records.get(id), true);
            } catch {
              this.records.setState(id, (s) => { s.Status = 'exited'; });
            }
          });
          continue;
        }
        // A stopped container holds no volume mounts.
        await this.volumes.unmountAll(id, mountPlan(r));
        const policy = (r.HostConfig.RestartPolicy as RestartPolicy | undefined)?.Name;
        if (r.State.Status === 'exited' && r.State.StartedAt && (policy === 'always' || (policy === 'unless-stopped' && !r.ManuallyStopped))) {
          toStart.push(id);
        }
      } catch (err) {
        this.logger.warn('restore failed', { container: id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return toStart;
  }
}
