import { DynamicModule, Module, Provider } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { GatewayConnections } from './server/connections';
import { grpcBackendProviders } from './backends/grpc/providers';
import { ContainerAttach } from './hijack/attach.hijack';
import { ExecStart } from './hijack/exec.hijack';
import { SystemController } from './routes/system.controller';
import { SwarmController } from './routes/swarm.controller';
import { VolumesController } from './routes/volumes.controller';
import { NetworksController } from './routes/networks.controller';
import { BuildController } from './routes/build.controller';
import { EventsController } from './routes/events.controller';
import { ImagesController } from './routes/images.controller';
import { DistributionController } from './routes/distribution.controller';
import { ContainersController } from './routes/containers.controller';
import { ContainerLogsController } from './routes/container-logs.controller';
import { ContainerFilesController } from './routes/container-files.controller';
import { ContainerStatsController } from './routes/container-stats.controller';
import { ExecController } from './routes/exec.controller';
import { SystemDfController } from './routes/system-df.controller';
import { CONFIG, LOGGER } from './tokens';

const CONTROLLERS = [
  SystemController, SwarmController, VolumesController, NetworksController, EventsController, ImagesController, DistributionController,
  ContainersController, ContainerLogsController, ContainerFilesController, ContainerStatsController, ExecController, SystemDfController, BuildController,
];

@Module({})
export class GatewayModule {
  /** The gateway over the real services: gRPC clients, Redis for events and jobs. */
  static forRoot(config: BerthConfig, logger: Logger): DynamicModule {
    return GatewayModule.withBackends(logger, [
      { provide: CONFIG, useValue: config },
      { provide: GatewayConnections, inject: [CONFIG, LOGGER], useFactory: (c: BerthConfig, l: Logger) => new GatewayConnections(c, l) },
      ...grpcBackendProviders,
    ]);
  }

  /** The controllers and hijack entry points over the given backends (a provider per token of backends/tokens.ts). */
  static withBackends(logger: Logger, backends: Provider[]): DynamicModule {
    return {
      module: GatewayModule,
      controllers: CONTROLLERS,
      providers: [{ provide: LOGGER, useValue: logger }, ContainerAttach, ExecStart, ...backends],
    };
  }
}
