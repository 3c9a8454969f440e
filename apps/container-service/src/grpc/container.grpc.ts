import { Inject, Injectable } from '@nestjs/common';
import { container } from '@berth/proto';
import { RpcError, ServiceBinding, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import type { ContainerConfig } from '../containers/config-merge';
import type { ContainerRecord } from '../containers/container-record';
import { ContainerManager } from '../containers/container-manager';
import { LOGGER } from '../tokens';

function parseObject(json: string, what: string): Record<string, unknown> {
  if (json === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw RpcError.invalidArgument(`invalid ${what}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw RpcError.invalidArgument(`invalid ${what}`);
  return v as Record<string, unknown>;
}

function toProto(r: ContainerRecord): container.Container {
  return { id: r.Id, recordJson: JSON.stringify(r) };
}

/** The ContainerService contract; each method hands straight to ContainerManager. */
@Injectable()
export class ContainerGrpcController {
  constructor(private readonly containers: ContainerManager, @Inject(LOGGER) private readonly logger: Logger) {}

  binding(): ServiceBinding {
    const c = this.containers;
    const l = this.logger;
    const implementation: container.ContainerServiceServer = {
      summary: unary(async () => c.summary(), l),
      imageUsage: unary(async (req: container.ImageUsageRequest) => c.imageUsage(req.imageId), l),
      create: unary(async (req: container.CreateContainerRequest) => {
        const imageConfig = parseObject(req.imageConfigJson, 'image config');
        return c.create({
          name: req.name,
          config: parseObject(req.configJson, 'container config') as ContainerConfig,
          hostConfig: parseObject(req.hostConfigJson, 'host config'),
          networkingConfig: parseObject(req.networkingConfigJson, 'networking config'),
          image: req.image,
          imageId: req.imageId,
          imageConfig: (imageConfig.config ?? null) as ContainerConfig | null,
          platform: req.platform,
        });
      }, l),
      inspect: unary(async (req: container.ContainerRef) => toProto(c.inspect(req.id)), l),
      list: unary(async (req: container.ListContainersRequest) => ({ containers: c.list(req.all, req.limit, req.filters).map(toProto) }), l),
      remove: unary(async (req: container.RemoveContainerRequest) => {
        c.remove(req.id, req.force);
        return {};
      }, l),
      rename: unary(async (req: container.RenameContainerRequest) => {
        c.rename(req.id, req.name);
        return {};
      }, l),
      prune: unary(async (req: container.PruneContainersRequest) => {
        const res = c.prune(req.filters);
        return { containersDeleted: res.deleted, spaceReclaimed: res.reclaimed };
      }, l),
      start: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      stop: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      kill: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      restart: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      pause: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      unpause: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      wait: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      resize: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      update: unary(async () => { throw RpcError.internal('not implemented yet'); }, l),
      attach: (call) => call.destroy(RpcError.internal('not implemented yet')),
    };
    return { definition: container.ContainerServiceService, implementation };
  }
}
