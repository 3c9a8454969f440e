import type { Readable } from 'node:stream';
import type { common, container, containerFiles, containerLogs, containerStats } from '@berth/proto';
import type { ServiceClients } from '../../services/service-clients';
import type { ContainerAttachBackend, ContainerBackend, ContainerCopyBackend, ContainerCreateRequest, ContainerMonitorBackend } from '../container.backend';
import type { DuplexSession, MessageStream, PendingCall } from '../streams';
import { pipeBody } from './pipe-body';

/** ContainerBackend and ContainerAttachBackend over container-service (and image-service to resolve the image). */
export class GrpcContainerBackend implements ContainerBackend, ContainerAttachBackend {
  constructor(private readonly clients: ServiceClients) {}

  list(request: container.ListContainersRequest): Promise<container.ListContainersResponse> {
    return this.clients.container.list(request);
  }

  /** The one place that knows how create is put to the services. */
  async create(request: ContainerCreateRequest): Promise<container.CreateContainerResponse> {
    return this.clients.container.create({
      name: request.name,
      configJson: JSON.stringify(request.config),
      hostConfigJson: JSON.stringify(request.hostConfig),
      networkingConfigJson: JSON.stringify(request.networkingConfig),
      // container-service resolves the image and leases its layers itself.
      image: request.image,
      platform: request.platform,
    });
  }

  inspect(request: container.ContainerRef): Promise<container.Container> {
    return this.clients.container.inspect(request);
  }

  async rename(request: container.RenameContainerRequest): Promise<void> {
    await this.clients.container.rename(request);
  }

  async remove(request: container.RemoveContainerRequest): Promise<void> {
    await this.clients.container.remove(request);
  }

  prune(request: container.PruneContainersRequest): Promise<container.PruneContainersResponse> {
    return this.clients.container.prune(request);
  }

  start(request: container.StartContainerRequest): Promise<container.StateChange> {
    return this.clients.container.start(request);
  }

  stop(request: container.StopContainerRequest): Promise<container.StateChange> {
    return this.clients.container.stop(request);
  }

  async restart(request: container.StopContainerRequest): Promise<void> {
    await this.clients.container.restart(request);
  }

  async kill(request: container.KillContainerRequest): Promise<void> {
    await this.clients.container.kill(request);
  }

  async pause(request: container.ContainerRef): Promise<void> {
    await this.clients.container.pause(request);
  }

  async unpause(request: container.ContainerRef): Promise<void> {
    await this.clients.container.unpause(request);
  }

  /** No deadline: a wait lasts as long as the container runs. */
  wait(request: container.WaitContainerRequest): PendingCall<container.WaitContainerResponse> {
    let cancel: () => void = () => undefined;
    const result = new Promise<container.WaitContainerResponse>((resolve, reject) => {
      const call = this.clients.containerStreams.wait(request, (err, res) => (err ? reject(err) : resolve(res)));
      cancel = () => call.cancel();
    });
    return { result, cancel };
  }

  async resize(request: container.ResizeRequest): Promise<void> {
    await this.clients.container.resize(request);
  }

  update(request: container.UpdateContainerRequest): Promise<container.UpdateContainerResponse> {
    return this.clients.container.update(request);
  }

  attach(): DuplexSession<container.AttachInput, container.AttachOutput> {
    return this.clients.containerStreams.attach();
  }
}

/** ContainerMonitorBackend over container-service's logs and stats. */
export class GrpcContainerMonitorBackend implements ContainerMonitorBackend {
  constructor(private readonly clients: ServiceClients) {}

  inspect(request: container.ContainerRef): Promise<container.Container> {
    return this.clients.container.inspect(request);
  }

  logs(request: containerLogs.LogsRequest): MessageStream<containerLogs.LogChunk> {
    return this.clients.containerLogs.logs(request);
  }

  stats(request: containerStats.StatsRequest): MessageStream<containerStats.StatsSample> {
    return this.clients.containerStats.stats(request);
  }

  top(request: containerStats.TopRequest): Promise<containerStats.TopResponse> {
    return this.clients.stats.top(request);
  }
}

/** ContainerCopyBackend over container-service's files. */
export class GrpcContainerCopyBackend implements ContainerCopyBackend {
  constructor(private readonly clients: ServiceClients) {}

  statPath(request: containerFiles.PathRequest): Promise<containerFiles.PathStat> {
    return this.clients.files.statPath(request);
  }

  getArchive(request: containerFiles.PathRequest): MessageStream<containerFiles.ArchiveChunk> {
    return this.clients.containerFiles.getArchive(request);
  }

  putArchive(options: containerFiles.PutArchiveOptions, body: Readable): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // An early refusal leaves the rest of the upload unread: stop() lets it drain, unused.
      const call = this.clients.containerFiles.putArchive((err) => {
        stop();
        if (err) reject(err);
        else resolve();
      });
      call.write({ part: { $case: 'options', options } });
      const stop = pipeBody(body, call, (data) => ({ part: { $case: 'data' as const, data } }));
    });
  }

  export(request: containerFiles.ContainerId): MessageStream<common.DataChunk> {
    return this.clients.containerFiles.export(request);
  }

  changes(request: containerFiles.ContainerId): Promise<containerFiles.ChangesResponse> {
    return this.clients.files.changes(request);
  }
}
