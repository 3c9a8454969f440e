import type { container, network } from '@berth/proto';

/**
 * Networks (routes/networks.controller.ts): the records are network-service's;
 * connecting and disconnecting a container is container-service's, which
 * knows the container (created or running) and has network-service wire it.
 */
export interface NetworkBackend {
  list(request: network.ListNetworksRequest): Promise<network.ListNetworksResponse>;
  inspect(request: network.NetworkRef): Promise<network.Network>;
  create(request: network.CreateNetworkRequest): Promise<network.CreateNetworkResponse>;
  remove(request: network.NetworkRef): Promise<void>;
  prune(request: network.PruneNetworksRequest): Promise<network.PruneNetworksResponse>;
  connect(request: container.ConnectContainerNetworkRequest): Promise<void>;
  disconnect(request: container.DisconnectContainerNetworkRequest): Promise<void>;
}
