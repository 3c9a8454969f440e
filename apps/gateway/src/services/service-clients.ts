import type { BerthConfig } from '@berth/config';
import { volume, image, container, network } from '@berth/proto';
import { createClient, PromiseClient } from '@berth/rpc';

/** One long-lived gRPC channel per backing service, shared by every route. */
export class ServiceClients {
  readonly volume: PromiseClient<volume.VolumeServiceClient>;
  readonly image: PromiseClient<image.ImageServiceClient>;
  readonly container: PromiseClient<container.ContainerServiceClient>;
  readonly network: PromiseClient<network.NetworkServiceClient>;
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
    this.raw.push(v.raw, i.raw, c.raw, n.raw);
  }

  close(): void {
    for (const r of this.raw) r.close();
  }
}
