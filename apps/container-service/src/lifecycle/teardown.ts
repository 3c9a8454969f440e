import type { Logger } from '@berth/logging';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerRuntime } from './container-runtime';
import type { LifecycleObserver } from './lifecycle-observer';
import { mountPlan } from './lifecycle-records';
import type { NetworkLink } from './network-link';
import type { RootfsLink } from './rootfs-link';
import type { VolumeMounts } from './volume-mounts';

/** Takes down what a start set up, once the container's process is gone. */
export class ContainerTeardown {
  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly network: NetworkLink,
    private readonly volumes: VolumeMounts,
    private readonly rootfs: RootfsLink,
    private readonly observer: LifecycleObserver,
    private readonly logger: Logger,
  ) {}

  async run(r: ContainerRecord): Promise<void> {
    const id = r.Id;
    this.observer.stopped?.(id);
    // The process is gone: runtime state, network, volumes and overlay come down independently.
    await Promise.all([
      this.runtime.delete(id).catch(() => undefined),
      this.network.detach(id).catch((err: unknown) => this.logger.warn('network detach failed', { container: id, error: String(err) })),
      this.volumes.unmountAll(id, mountPlan(r)),
      this.rootfs.release(id).catch((err: unknown) => this.logger.warn('rootfs unmount failed', { container: id, error: String(err) })),
    ]);
  }
}
