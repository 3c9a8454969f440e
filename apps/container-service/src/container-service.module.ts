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
import { image, network, volume } from '@berth/proto';
import { ImageLeaseKeeper } from './images/image-lease-keeper';
import { createClient } from '@berth/rpc';
import { RootfsManager } from './rootfs/rootfs-manager';
import { AttachHub } from './attach/attach-hub';
import { ContainerLifecycle } from './lifecycle/container-lifecycle';
import { VolumeLinks } from './lifecycle/volume-links';
import { GrpcNetworkLink } from './network/grpc-network-link';
import { ContainerLogs } from './logs';
import { ContainerManager } from './containers/container-manager';
import { ContainerStore } from './containers/container-store';
import type { EventSink } from '@berth/events';
import { LOGGER } from './tokens';
import { ContainerTop } from './stats/container-top';
import { ContainerStats } from './stats/container-stats';
import { emitContainerEvent } from './containers/container-events';
import { ExecManager } from './exec/exec-manager';
import { ContainerFiles } from './files/container-files';
import { HealthMonitor } from './health/health-monitor';
import { logReplayFrom } from './attach/log-replay';

@Module({})
export class ContainerServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    const store = new ContainerStore(path.join(config.dataRoot, 'containers', 'metadata.db'));
    const paths = new ContainerPaths(config.dataRoot, config.runRoot);
    const exits = new ContainerExits();
    const volumes = new VolumeLinks(createClient(volume.VolumeServiceClient, config.services.volume).call);
    const leases = new ImageLeaseKeeper(createClient(image.ImageServiceClient, config.services.image).call, store, logger.child({ part: 'leases' }));
    const manager = new ContainerManager(store, leases, events, logger, volumes, paths);
    const rootfs = new RootfsManager(paths);
    const attach = new AttachHub(paths, { resolve: (ref) => manager.resolve(ref).record }, logger.child({ part: 'attach' }));
    const lifecycle = new ContainerLifecycle(store, paths, rootfs, volumes, new GrpcNetworkLink(createClient(network.NetworkServiceClient, config.services.network).call), attach, exits, events, logger.child({ part: 'lifecycle' }));
    manager.useLifecycle(lifecycle);
    const execs = new ExecManager(store, paths, exits, events, logger.child({ part: 'exec' }));
    const health = new HealthMonitor(store, execs, events, logger.child({ part: 'health' }));
    lifecycle.setHooks({ started: (r) => health.start(r), restored: (r) => health.resume(r), stopped: (id) => health.stop(id) });
    const logs = new ContainerLogs(manager, paths, exits);
    attach.setLogReplay(logReplayFrom(logs));
    attach.onAttach((r) => emitContainerEvent(events, logger, 'attach', r));
    return {
      module: ContainerServiceModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: ContainerStore, useValue: store },
        { provide: ImageLeaseKeeper, useValue: leases },
        { provide: ContainerManager, useValue: manager },
        { provide: ContainerPaths, useValue: paths },
        { provide: ContainerExits, useValue: exits },
        { provide: RootfsManager, useValue: rootfs },
        { provide: AttachHub, useValue: attach },
        { provide: ContainerLifecycle, useValue: lifecycle },
        { provide: ContainerStats, useValue: new ContainerStats(manager, exits, (id) => (c) => paths.cgroup(id, c)) },
        { provide: ContainerTop, useValue: new ContainerTop(manager, (id) => (c) => paths.cgroup(id, c), (r) => emitContainerEvent(events, logger, 'top', r)) },
        { provide: ExecManager, useValue: execs },
        { provide: HealthMonitor, useValue: health },
        { provide: ContainerFiles, useValue: new ContainerFiles(manager, rootfs, paths, events, logger.child({ part: 'files' })) },
        { provide: ContainerLogs, useValue: logs },
        ContainerGrpcController,
        ContainerLogsGrpcController,
        ContainerFilesGrpcController,
        ContainerStatsGrpcController,
        ContainerExecGrpcController,
      ],
    };
  }
}
