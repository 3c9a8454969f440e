import type { ResolvedMount } from './spec-input';
import type { ContainerMount } from './volume-links';

/** What the lifecycle needs of a container's volumes (VolumeLinks over volume-service). */
export interface VolumeMounts {
  /** Mounts for one start; on failure nothing stays mounted. */
  mountAll(containerId: string, mounts: ContainerMount[], rootfs: string): Promise<ResolvedMount[]>;
  /** Never throws: a stop must finish. */
  unmountAll(containerId: string, mounts: ContainerMount[]): Promise<void>;
  /** Drops the container's references; `removeAnonymous` deletes its anonymous volumes too. */
  unlink(containerId: string, mounts: ContainerMount[], removeAnonymous: boolean): Promise<void>;
}
