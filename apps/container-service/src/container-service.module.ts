import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { ContainerGrpcController } from './grpc/container.grpc';
import { ContainerLogsGrpcController } from './grpc/logs.grpc';
import { ContainerFilesGrpcController } from './grpc/files.grpc';
import { ContainerStatsGrpcController } from './grpc/stats.grpc';
import { ContainerExecGrpcController } from './grpc/exec.grpc';
import { ContainerPaths } from './containers/container-paths';
import { ContainerExits } from './containers/container-exits';
import { ContainerManager } from './containers/container-manager';
import { ContainerStore } from './containers/container-store';
import type { EventSink } from '@berth/events';
import { LOGGER } from './tokens';

@Module({})
export class ContainerServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    const store = new ContainerStore(path.join(config.dataRoot, 'containers', 'metadata.db'));
    return {
      module: ContainerServiceModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: ContainerStore, useValue: store },
        { provide: ContainerManager, useValue: new ContainerManager(store, events, logger) },
        { provide: ContainerPaths, useValue: new ContainerPaths(config.dataRoot, config.runRoot) },
        { provide: ContainerExits, useValue: new ContainerExits() },
        ContainerGrpcController,
        ContainerLogsGrpcController,
        ContainerFilesGrpcController,
        ContainerStatsGrpcController,
        ContainerExecGrpcController,
      ],
    };
  }
}
