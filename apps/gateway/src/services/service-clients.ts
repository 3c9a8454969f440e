import type { BerthConfig } from '@berth/config';
import { volume, image, container, network, containerLogs, containerFiles, containerStats, containerExec } from '@berth/proto';
import { createClient, PromiseClient } from '@berth/rpc';

/** One long-lived gRPC channel per backing service, shared by every route. */
export class ServiceClients {
  readonly volume: PromiseClient<volume.VolumeServiceClient>;
  readonly image: PromiseClient<image.ImageServiceClient>;
  readonly container: PromiseClient<container.ContainerServiceClient>;
  readonly network: PromiseClient<network.NetworkServiceClient>;
  /** Container-service's streaming surfaces, as raw clients (they stream). */
  readonly containerStreams: container.ContainerServiceClient;
  readonly containerLogs: containerLogs.ContainerLogsClient;
  readonly containerFiles: containerFiles.ContainerFilesClient;
  readonly containerStats: containerStats.ContainerStatsClient;
  readonly containerExec: containerExec.ContainerExecClient;
  /** Promise clients for their unary calls. */
  readonly files: PromiseClient<containerFiles.ContainerFilesClient>;
  readonly stats: PromiseClient<containerStats.ContainerStatsClient>;
  readonly exec: PromiseClient<containerExec.ContainerExecClient>;
  /** The image client itself, for its streaming calls (load, save, import). */
  readonly imageStreams: image.ImageServiceClient;
  private readonly raw: { close(): void }[] = [];

  constructor(config: BerthConfig) {
    const v = createClient(volume.VolumeServiceClient, config.services.volume);
    const i = createClient(image.ImageServiceClient, config.services.image);
    const c = createClient(container.ContainerServiceClient, config.services.container);
    const n = createClient(network.NetworkServiceClient, config.services.network);
    this.volume = v.call;
    this.image = i.call;
    this.container = c.call;
    this.network = n.call;
    this.imageStreams = i.raw;
    this.containerStreams = c.raw;
    // The container-side services share container-service's address.
    const logs = createClient(containerLogs.ContainerLogsClient, config.services.container);
    const files = createClient(containerFiles.ContainerFilesClient, config.services.container);
    const stats = createClient(containerStats.ContainerStatsClient, config.services.container);
    const exec = createClient(containerExec.ContainerExecClient, config.services.container);
    this.containerLogs = logs.raw;
    this.containerFiles = files.raw;
    this.containerStats = stats.raw;
    this.containerExec = exec.raw;
    this.files = files.call;
    this.stats = stats.call;
    this.exec = exec.call;
    this.raw.push(v.raw, i.raw, c.raw, n.raw, logs.raw, files.raw, stats.raw, exec.raw);
  }

  close(): void {
    for (const r of this.raw) r.close();
  }
}
