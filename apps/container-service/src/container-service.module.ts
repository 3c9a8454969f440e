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
import { volume } from '@berth/proto';
import { createClient } from '@berth/rpc';
import { RootfsManager } from './rootfs/rootfs-manager';
import { AttachHub } from './attach/attach-hub';
import { ContainerLifecycle } from './lifecycle/container-lifecycle';
import { VolumeLinks } from './lifecycle/volume-links';
import { IsolatedNetworkLink } from './lifecycle/network-link';
import { ContainerLogs } from './logs';
import { ContainerManager } from './containers/container-manager';
import { ContainerStore } from './containers/container-store';
import type { EventSink } from '@berth/events';
import { LOGGER } from './tokens';

@Module({})
export class ContainerServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    const store = new ContainerStore(path.join(config.dataRoot, 'containers', 'metadata.db'));
    const paths = new ContainerPaths(config.dataRoot, config.runRoot);
    const exits = new ContainerExits();
    const volumes = new VolumeLinks(createClient(volume.VolumeServiceClient, config.services.volume).call);
    const manager = new ContainerManager(store, events, logger, volumes, paths);
    const rootfs = new RootfsManager(paths);
    const attach = new AttachHub(paths, { resolve: (ref) => manager.resolve(ref).record }, logger.child({ part: 'attach' }));
    const lifecycle = new ContainerLifecycle(store, paths, rootfs, volumes, new IsolatedNetworkLink(), attach, exits, events, logger.child({ part: 'lifecycle' }));
    manager.useLifecycle(lifecycle);
    return {
      module: ContainerServiceModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: ContainerStore, useValue: store },
        { provide: ContainerManager, useValue: manager },
        { provide: ContainerPaths, useValue: paths },
        { provide: ContainerExits, useValue: exits },
        { provide: RootfsManager, useValue: rootfs },
        { provide: AttachHub, useValue: attach },
        { provide: ContainerLifecycle, useValue: lifecycle },
        { provide: ContainerLogs, useFactory: (m: ContainerManager, p: ContainerPaths, e: ContainerExits) => new ContainerLogs(m, p, e), inject: [ContainerManager, ContainerPaths, ContainerExits] },
        ContainerGrpcController,
        ContainerLogsGrpcController,
        ContainerFilesGrpcController,
        ContainerStatsGrpcController,
        ContainerExecGrpcController,
      ],
    };
  }
}
