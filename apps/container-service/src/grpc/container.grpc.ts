import { Injectable } from '@nestjs/common';
import { container } from '@berth/proto';
import { ServiceBinding, unary } from '@berth/rpc';

/** gRPC surface of the container service; methods arrive with later issues. */
@Injectable()
export class ContainerGrpcController {
  binding(): ServiceBinding {
    const implementation: container.ContainerServiceServer = {
      summary: unary(async () => ({ containers: 0, running: 0, paused: 0, stopped: 0 })),
      // No containers exist before the containers issue, so no image is in use.
      imageUsage: unary(async () => ({ running: [], stopped: [] })),
    };
    return { definition: container.ContainerServiceService, implementation };
  }
}
