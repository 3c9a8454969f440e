import { Inject, Injectable } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { containerFiles } from '@berth/proto';
import type { ServiceBinding } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { LOGGER } from '../tokens';

/** The ContainerFiles contract. Placeholder until the files/ capability lands: every call answers UNIMPLEMENTED. */
@Injectable()
export class ContainerFilesGrpcController {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  binding(): ServiceBinding {
    const unimplemented = new Proxy({}, {
      get: () => (_call: unknown, callback?: (err: grpc.ServiceError | null) => void) => {
        const err = Object.assign(new Error('not implemented'), { code: grpc.status.UNIMPLEMENTED, details: 'not implemented', metadata: new grpc.Metadata() });
        if (typeof callback === 'function') callback(err);
        else (_call as { destroy?: (e: Error) => void }).destroy?.(err);
      },
    });
    return { definition: containerFiles.ContainerFilesService, implementation: unimplemented as unknown as containerFiles.ContainerFilesServer };
  }
}
