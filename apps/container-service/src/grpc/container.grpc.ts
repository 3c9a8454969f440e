import { Inject, Injectable } from '@nestjs/common';
import { container } from '@berth/proto';
import type { ContainerUpdateRequest, HostConfig, NetworkingConfig } from '@berth/engine-api';
import { RpcError, ServiceBinding, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import type { ContainerConfig } from '../containers/config-merge';
import { ContainerManager } from '../containers/container-manager';
import type { StoredContainer } from '../containers/container-store';
import { inspectMessage, summaryMessage } from './container-message';
import { LOGGER } from '../tokens';
import { ContainerLifecycle } from '../lifecycle/container-lifecycle';
import { AttachHub } from '../attach/attach-hub';
import { ContainerPaths } from '../containers/container-paths';
import { ContainerSizes } from '../containers/container-size';
import { readHostFacts } from '../host/host-facts';

/** A JSON object from the wire, typed as the Engine API structure it carries (the gateway sent it as that type). */
function parseObject<T extends object = Record<string, unknown>>(json: string, what: string): T {
  if (json === '') return {} as T;
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw RpcError.invalidArgument(`invalid ${what}`);
  }
  if (v === null) return {} as T;
  if (typeof v !== 'object' || Array.isArray(v)) throw RpcError.invalidArgument(`invalid ${what}`);
  return v as T;
}


/** The ContainerService contract; each method hands straight to ContainerManager. */
@Injectable()
export class ContainerGrpcController {
  constructor(
    private readonly containers: ContainerManager,
    private readonly lifecycle: ContainerLifecycle,
    private readonly attach: AttachHub,
    private readonly paths: ContainerPaths,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private readonly sizes = new ContainerSizes();
  private hostFacts?: container.HostInfo;

  private sizeOf(c: StoredContainer): Promise<{ rw: number; rootFs: number }> {
    return this.sizes.of(this.paths.upper(c.record.Id), c.record.LayerPaths ?? []);
  }

  binding(): ServiceBinding {
    const c = this.containers;
    const lc = this.lifecycle;
    const l = this.logger;
    const idOf = (ref: string) => c.resolve(ref).record.Id;
    const implementation: container.ContainerServiceServer = {
      summary: unary(async () => c.summary(), l),
      // Read once: none of these change while the service runs.
      getHostInfo: unary(async () => (this.hostFacts ??= readHostFacts(this.paths.dataRoot)), l),
      create: unary(async (req: container.CreateContainerRequest) => {
        return c.create({
          name: req.name,
          config: parseObject<ContainerConfig>(req.configJson, 'container config'),
          hostConfig: parseObject<HostConfig>(req.hostConfigJson, 'host config'),
          networkingConfig: parseObject<NetworkingConfig>(req.networkingConfigJson, 'networking config'),
          image: req.image,
          platform: req.platform,
        });
      }, l),
      inspect: unary(async (req: container.ContainerRef) => {
        const found = c.resolve(req.id);
        return inspectMessage(found.record, req.size ? await this.sizeOf(found) : undefined);
      }, l),
      list: unary(async (req: container.ListContainersRequest) => {
        const found = c.listStored(req.all, req.limit, req.filters);
        if (!req.size) return { containers: found.map((r) => summaryMessage(r.record)) };
        return { containers: await Promise.all(found.map(async (r) => summaryMessage(r.record, await this.sizeOf(r)))) };
      }, l),
      remove: unary(async (req: container.RemoveContainerRequest) => {
        await c.remove(req.id, req.force, req.removeVolumes);
        return {};
      }, l),
      rename: unary(async (req: container.RenameContainerRequest) => {
        c.rename(req.id, req.name);
        return {};
      }, l),
      prune: unary(async (req: container.PruneContainersRequest) => {
        const res = await c.prune(req.filters);
        return { containersDeleted: res.deleted, spaceReclaimed: res.reclaimed };
      }, l),
      start: unary(async (req: container.StartContainerRequest) => ({ changed: await lc.start(idOf(req.id)) }), l),
      stop: unary(async (req: container.StopContainerRequest) => ({
        changed: await lc.stop(idOf(req.id), req.hasTimeout ? req.timeout : undefined, req.signal),
      }), l),
      kill: unary(async (req: container.KillContainerRequest) => {
        await lc.kill(idOf(req.id), req.signal);
        return {};
      }, l),
      restart: unary(async (req: container.StopContainerRequest) => {
        await lc.restart(idOf(req.id), req.hasTimeout ? req.timeout : undefined, req.signal);
        return {};
      }, l),
      pause: unary(async (req: container.ContainerRef) => {
        await lc.pause(idOf(req.id));
        return {};
      }, l),
      unpause: unary(async (req: container.ContainerRef) => {
        await lc.unpause(idOf(req.id));
        return {};
      }, l),
      wait: unary(async (req: container.WaitContainerRequest, call) => {
        const abort = new AbortController();
        call.on('cancelled', () => abort.abort());
        const res = await lc.wait(idOf(req.id), req.condition || 'not-running', abort.signal);
        return { statusCode: res.statusCode, error: res.error };
      }, l),
      resize: unary(async (req: container.ResizeRequest) => {
        lc.resize(idOf(req.id), req.height, req.width);
        return {};
      }, l),
      connectNetwork: unary(async (req: container.ConnectContainerNetworkRequest) => {
        await lc.connectNetwork(idOf(req.container), req.network, parseObject(req.endpointConfigJson, 'endpoint config'));
        return {};
      }, l),
      disconnectNetwork: unary(async (req: container.DisconnectContainerNetworkRequest) => {
        await lc.disconnectNetwork(idOf(req.container), req.network, req.force);
        return {};
      }, l),
      update: unary(async (req: container.UpdateContainerRequest) => ({ warnings: await lc.update(idOf(req.id), parseObject<ContainerUpdateRequest>(req.updateJson, 'update config')) }), l),
      attach: this.attach.handle,
    };
    return { definition: container.ContainerServiceService, implementation };
  }
}
