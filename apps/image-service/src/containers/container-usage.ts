import { container } from '@berth/proto';
import { createClient, RpcError } from '@berth/rpc';
import type { ImageUsage } from '../images/image-manager';

/**
 * Asks container-service which containers use an image. When it cannot be
 * asked, deleting is refused: removing an image under a container would
 * break it, and a retry is cheap.
 */
export class ContainerServiceUsage implements ImageUsage {
  private readonly client;

  constructor(address: string) {
    this.client = createClient(container.ContainerServiceClient, address).call;
  }

  async usage(imageId: string): Promise<{ running: string[]; stopped: string[] }> {
    try {
      return await this.client.imageUsage({ imageId }, { timeoutMs: 10_000 });
    } catch (err) {
      throw RpcError.internal(`cannot check which containers use ${imageId}: ${(err as { details?: string }).details ?? String(err)}`);
    }
  }
}
