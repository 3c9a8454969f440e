/** What the lifecycle needs of a container's root filesystem (RootfsManager's overlay mount). */
export interface RootfsLink {
  /** Mounts when not mounted yet and takes a hold; the root filesystem's path. */
  acquire(id: string, layerPaths: string[]): Promise<string>;
  /** Drops a hold; the last one unmounts. */
  release(id: string): Promise<void>;
  /** A running container found after a restart of this service holds its mount already. */
  adopt(id: string): void;
  /** Unmounts whatever is left (container removal). */
  forget(id: string): Promise<void>;
}
