import { Inject, Injectable } from '@nestjs/common';
import { volume } from '@berth/proto';
import { ServiceBinding, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { VolumeInfo, VolumeManager } from '../volumes/volume-manager';
import { LOGGER } from '../tokens';

function toProto(v: VolumeInfo): volume.Volume {
  return {
    name: v.name,
    driver: v.driver,
    mountpoint: v.mountpoint,
    createdAt: v.createdAt,
    labels: v.labels,
    options: v.options,
    scope: v.scope,
    refCount: v.refCount,
    size: v.size,
    anonymous: v.anonymous,
  };
}

/** The VolumeService contract; each method hands straight to VolumeManager. */
@Injectable()
export class VolumeGrpcController {
  constructor(private readonly volumes: VolumeManager, @Inject(LOGGER) private readonly logger: Logger) {}

  binding(): ServiceBinding {
    const v = this.volumes;
    const l = this.logger;
    const implementation: volume.VolumeServiceServer = {
      create: unary(async (req: volume.CreateVolumeRequest) => toProto(v.create(req)), l),
      inspect: unary(async (req: volume.VolumeName) => toProto(v.inspect(req.name)), l),
      list: unary(async (req: volume.ListVolumesRequest) => ({ volumes: (await v.list(req.filters, req.withSize)).map(toProto), warnings: [] }), l),
      remove: unary(async (req: volume.RemoveVolumeRequest) => {
        await v.remove(req.name, req.force);
        return {};
      }, l),
      prune: unary(async (req: volume.PruneVolumesRequest) => {
        const res = await v.prune(req.filters, req.onlyAnonymous);
        return { volumesDeleted: res.deleted, spaceReclaimed: res.reclaimed };
      }, l),
      acquire: unary(async (req: volume.VolumeReference) => toProto(v.acquire(req.name, req.containerId)), l),
      release: unary(async (req: volume.VolumeReference) => {
        v.release(req.name, req.containerId);
        return {};
      }, l),
      mount: unary(async (req: volume.MountVolumeRequest) => ({
        mountpoint: await v.mount(req.name, req.containerId, req.destination, req.readWrite, req.propagation),
      }), l),
      unmount: unary(async (req: volume.VolumeReference) => {
        await v.unmount(req.name, req.containerId);
        return {};
      }, l),
    };
    return { definition: volume.VolumeServiceService, implementation };
  }
}
