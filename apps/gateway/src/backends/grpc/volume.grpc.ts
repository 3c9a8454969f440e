import type { volume } from '@berth/proto';
import type { ServiceClients } from '../../services/service-clients';
import type { VolumeBackend } from '../volume.backend';

const PRUNE_TIMEOUT_MS = 10 * 60_000;

/** VolumeBackend over volume-service. */
export class GrpcVolumeBackend implements VolumeBackend {
  constructor(private readonly clients: ServiceClients) {}

  list(request: volume.ListVolumesRequest): Promise<volume.ListVolumesResponse> {
    return this.clients.volume.list(request);
  }

  create(request: volume.CreateVolumeRequest): Promise<volume.Volume> {
    return this.clients.volume.create(request);
  }

  inspect(request: volume.VolumeName): Promise<volume.Volume> {
    return this.clients.volume.inspect(request);
  }

  async remove(request: volume.RemoveVolumeRequest): Promise<void> {
    await this.clients.volume.remove(request);
  }

  prune(request: volume.PruneVolumesRequest): Promise<volume.PruneVolumesResponse> {
    return this.clients.volume.prune(request, { timeoutMs: PRUNE_TIMEOUT_MS });
  }
}
