import { Inject, Injectable } from '@nestjs/common';
import { network } from '@berth/proto';
import { RpcError, ServiceBinding, unary } from '@berth/rpc';
import { status } from '@grpc/grpc-js';
import type { Logger } from '@berth/logging';
import { NetworkManager } from '../networks/network-manager';
import { LOGGER } from '../tokens';

function notYet(): never {
  throw new RpcError(status.UNIMPLEMENTED, 'not implemented yet');
}

/** The NetworkService contract; each method hands straight to NetworkManager. */
@Injectable()
export class NetworkGrpcController {
  constructor(private readonly networks: NetworkManager, @Inject(LOGGER) private readonly logger: Logger) {}

  binding(): ServiceBinding {
    const n = this.networks;
    const l = this.logger;
    const implementation: network.NetworkServiceServer = {
      attach: unary(async (req: network.AttachNetworkRequest): Promise<network.AttachNetworkResponse> => {
        const a = await n.attach(req);
        return {
          netnsPath: a.netnsPath,
          settingsJson: JSON.stringify(a.settings),
          resolvConf: a.resolvConf,
          ipAddress: a.ipAddress,
          gateway: a.gateway,
          ipPrefixLen: a.ipPrefixLen,
          macAddress: a.macAddress,
          hostNetwork: a.hostNetwork,
          embeddedDns: false,
        };
      }, l),
      detach: unary(async (req: network.DetachNetworkRequest) => {
        await n.detach(req.containerId);
        return {};
      }, l),
      // Issue 10 in progress: the network API lands with the network manager's growth.
      connect: unary(async (): Promise<network.ContainerNetworkSettings> => notYet(), l),
      disconnect: unary(async (): Promise<network.ContainerNetworkSettings> => notYet(), l),
      createNetwork: unary(async (): Promise<network.CreateNetworkResponse> => notYet(), l),
      inspectNetwork: unary(async (): Promise<network.Network> => notYet(), l),
      listNetworks: unary(async (): Promise<network.ListNetworksResponse> => notYet(), l),
      removeNetwork: unary(async () => notYet(), l),
      pruneNetworks: unary(async (): Promise<network.PruneNetworksResponse> => notYet(), l),
    };
    return { definition: network.NetworkServiceService, implementation };
  }
}
