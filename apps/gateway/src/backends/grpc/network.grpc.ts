import type { container, network } from '@berth/proto';
import type { ServiceClients } from '../../services/service-clients';
import type { NetworkBackend } from '../network.backend';

/** Removing many networks tears down bridges and rules one by one. */
const PRUNE_TIMEOUT_MS = 5 * 60_000;

/** NetworkBackend over network-service (records) and container-service (connect, disconnect). */
export class GrpcNetworkBackend implements NetworkBackend {
  constructor(private readonly clients: ServiceClients) {}

  list(request: network.ListNetworksRequest): Promise<network.ListNetworksResponse> {
    return this.clients.network.listNetworks(request);
  }

  inspect(request: network.NetworkRef): Promise<network.Network> {
    return this.clients.network.inspectNetwork(request);
  }

  create(request: network.CreateNetworkRequest): Promise<network.CreateNetworkResponse> {
    return this.clients.network.createNetwork(request);
  }

  async remove(request: network.NetworkRef): Promise<void> {
    await this.clients.network.removeNetwork(request);
  }

  prune(request: network.PruneNetworksRequest): Promise<network.PruneNetworksResponse> {
    return this.clients.network.pruneNetworks(request, { timeoutMs: PRUNE_TIMEOUT_MS });
  }

  async connect(request: container.ConnectContainerNetworkRequest): Promise<void> {
    await this.clients.container.connectNetwork(request);
  }

  async disconnect(request: container.DisconnectContainerNetworkRequest): Promise<void> {
    await this.clients.container.disconnectNetwork(request);
  }
}
