import { Injectable } from '@nestjs/common';
import { network } from '@berth/proto';
import { ServiceBinding, unary } from '@berth/rpc';

/** gRPC surface of the network service; methods arrive with later issues. */
@Injectable()
export class NetworkGrpcController {
  binding(): ServiceBinding {
    const implementation: network.NetworkServiceServer = {
      summary: unary(async () => ({ networks: 0 })),
    };
    return { definition: network.NetworkServiceService, implementation };
  }
}
