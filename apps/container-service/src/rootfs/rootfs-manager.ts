import { KeyedLock } from '@berth/storage';
import { isMountPoint } from '@berth/host';
import { mountOverlay, unmountOverlay } from './overlay';
import type { ContainerPaths } from '../containers/container-paths';

/**
 * The one owner of a container's overlay mount. The lifecycle holds it while
 * the container runs; cp, export and diff hold it for one operation on a
 * stopped container. The mount goes away when the last holder lets go.
 * Calls for one container run one after another, so a mount and an unmount
 * never interleave.
 */
export class RootfsManager {
  private readonly holders = new Map<string, number>();
  private readonly lock = new KeyedLock();

  constructor(private readonly paths: ContainerPaths) {}

  /** Mounts (when not mounted yet) and returns the root filesystem's path. */
  acquire(id: string, layerPaths: string[]): Promise<string> {
    return this.lock.run(id, async () => {
      const target = this.paths.rootfs(id);
      if (!isMountPoint(target)) {
        await mountOverlay({ lowerDirs: layerPaths, upperDir: this.paths.upper(id), workDir: this.paths.work(id), target });
      }
      this.holders.set(id, (this.holders.get(id) ?? 0) + 1);
      return target;
    });
  }

  /** Drops one hold; the last one unmounts. */
  release(id: string): Promise<void> {
    return this.lock.run(id, async () => {
      const n = (this.holders.get(id) ?? 1) - 1;
      if (n > 0) {
        this.holders.set(id, n);
        return;
      }
      this.holders.delete(id);
      await unmountOverlay(this.paths.rootfs(id));
    });
  }

  /** Runs `fn` with the root filesystem mounted. */
  async with<T>(id: string, layerPaths: string[], fn: (rootfs: string) => Promise<T>): Promise<T> {
    const rootfs = await this.acquire(id, layerPaths);
    try {
      return await fn(rootfs);
    } finally {
      await this.release(id);
    }
  }

  /**
   * After a restart of container-service: a running container's mount is
   * still there and counts as held by the lifecycle.
   */
  adopt(id: string): void {
    if (!this.holders.has(id)) this.holders.set(id, 1);
  }

  /** Unmounts whatever is left (container removal). */
  forget(id: string): Promise<void> {
    return this.lock.run(id, async () => {
      this.holders.delete(id);
      await unmountOverlay(this.paths.rootfs(id));
    });
  }
}
