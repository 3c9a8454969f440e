import { Inject, Injectable } from '@nestjs/common';
import { network } from '@berth/proto';
import { ServiceBinding, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { NetworkManager } from '../networks/network-manager';
import { LOGGER } from '../tokens';

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
        };
      }, l),
      detach: unary(async (req: network.DetachNetworkRequest) => {
        await n.detach(req.containerId);
        return {};
      }, l),
    };
    return { definition: network.NetworkServiceService, implementation };
  }
}
