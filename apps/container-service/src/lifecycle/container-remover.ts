import * as fs from 'node:fs';
import { RpcError } from '@berth/rpc';
import type { KeyedLock } from '@berth/storage';
import type { ContainerExits } from '../containers/container-exits';
import type { ContainerPaths } from '../containers/container-paths';
import type { AttachLink } from './attach-link';
import type { ContainerRuntime } from './container-runtime';
import type { LifecycleObserver } from './lifecycle-observer';
import { isActive, LifecycleRecords, mountPlan } from './lifecycle-records';
import type { RestartSchedule } from './restart-schedule';
import type { RootfsLink } from './rootfs-link';
import type { ContainerStateChanges } from './state-changes';
import type { ContainerTeardown } from './teardown';
import type { VolumeMounts } from './volume-mounts';
import type { Waiters } from './waiters';

/** `docker rm` (and AutoRemove): the record, its files, its volume references, whatever still runs. */
export class ContainerRemover {
  constructor(
    private readonly records: LifecycleRecords,
    private readonly lock: KeyedLock,
    private readonly paths: ContainerPaths,
    private readonly runtime: ContainerRuntime,
    private readonly teardown: ContainerTeardown,
    private readonly stateChanges: ContainerStateChanges,
    private readonly restarts: RestartSchedule,
    private readonly attach: AttachLink,
    private readonly rootfs: RootfsLink,
    private readonly volumes: VolumeMounts,
    private readonly waiters: Waiters,
    private readonly exits: ContainerExits,
    private readonly observer: LifecycleObserver,
  ) {}

  async remove(id: string, force: boolean, removeVolumes: boolean): Promise<void> {
    const r0 = this.records.get(id);
    if (isActive(r0.State.Status)) {
      if (!force) {
        throw RpcError.conflict(`cannot remove container "/${r0.Name}": container is ${r0.State.Status}: stop the container before removing or force remove`);
      }
      await this.stateChanges.killAndWait(id);
    }
    await this.lock.run(id, () => this.removeLocked(id, removeVolumes));
  }

  /** The lock is held. */
  async removeLocked(id: string, removeVolumes: boolean): Promise<void> {
    const r = this.records.find(id);
    if (!r) return;
    if (r.State.Status === 'running' || r.State.Status === 'paused') {
      // The process would not die: take the runtime down by force.
      await this.runtime.kill(id, 9, true).catch(() => undefined);
      await this.teardown.run(r);
    }
    this.restarts.cancel(id);
    this.attach.release(id);
    await this.rootfs.forget(id);
    await this.volumes.unlink(id, mountPlan(r), removeVolumes);
    if (!this.records.delete(id)) return;
    await fs.promises.rm(this.paths.dir(id), { recursive: true, force: true }).catch(() => undefined);
    this.runtime.clearExit(id);
    this.restarts.forget(id);
    this.records.emit('destroy', r);
    this.exits.notify(id);
    this.waiters.removedNow(id, { statusCode: r.State.ExitCode ?? 0, error: '' });
    // Last: whoever waited for the removal is answered before anyone else is told.
    this.observer.removed?.(r);
  }
}
