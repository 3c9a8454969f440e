import type { volume } from '@berth/proto';

/** Volumes (routes/volumes.controller.ts). */
export interface VolumeBackend {
  list(request: volume.ListVolumesRequest): Promise<volume.ListVolumesResponse>;
  create(request: volume.CreateVolumeRequest): Promise<volume.Volume>;
  inspect(request: volume.VolumeName): Promise<volume.Volume>;
  remove(request: volume.RemoveVolumeRequest): Promise<void>;
  prune(request: volume.PruneVolumesRequest): Promise<volume.PruneVolumesResponse>;
}
