import * as path from 'node:path';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { image, network, volume } from '@berth/proto';
import { ImageLeaseKeeper } from './images/image-lease-keeper';
import { createClient } from '@berth/rpc';
import { ContainerGrpcController } from './grpc/container.grpc';
import { ContainerLogsGrpcController } from './grpc/logs.grpc';
import { ContainerFilesGrpcController } from './grpc/files.grpc';
import { ContainerStatsGrpcController } from './grpc/stats.grpc';
import { ContainerExecGrpcController } from './grpc/exec.grpc';
import { ContainerPaths } from './containers/container-paths';
import { ContainerExits } from './containers/container-exits';
import { ContainerManager } from './containers/container-manager';
import { ContainerStore } from './containers/container-store';
import { emitContainerEvent } from './containers/container-events';
import { RootfsManager } from './rootfs/rootfs-manager';
import { AttachHub } from './attach/attach-hub';
import { AttachWaiters } from './attach/attach-waiters';
import { logReplayFrom } from './attach/log-replay';
import { ContainerLifecycle } from './lifecycle/container-lifecycle';
import type { ContainerRuntime } from './lifecycle/container-runtime';
import { allOf, type LifecycleObserver } from './lifecycle/lifecycle-observer';
import type { NetworkLink } from './lifecycle/network-link';
import { VolumeLinks } from './lifecycle/volume-links';
import { GrpcNetworkLink } from './network/grpc-network-link';
import { ConmonRuntime } from './runtime/conmon-runtime';
import { ContainerLogs } from './logs';
import { ContainerTop } from './stats/container-top';
import { ContainerStats } from './stats/container-stats';
import { ExecManager } from './exec/exec-manager';
import { ContainerFiles } from './files/container-files';
import { ExecProbeRunner } from './health/exec-probe-runner';
import { HealthMonitor } from './health/health-monitor';
import { healthObserver } from './health/health-observer';
import { CONFIG, CONTAINER_RUNTIME, EVENTS, LIFECYCLE_OBSERVER, LOGGER, NETWORK_LINK } from './tokens';

/**
 * The graph has no cycle: the lifecycle is built from the runtime, rootfs,
 * network, volumes, the attach waiters and the health observer; the manager
 * from the lifecycle; logs and the attach handler from the manager.
 */
const providers: Provider[] = [
  { provide: ContainerStore, useFactory: (c: BerthConfig) => new ContainerStore(path.join(c.dataRoot, 'containers', 'metadata.db')), inject: [CONFIG] },
  { provide: ContainerPaths, useFactory: (c: BerthConfig) => new ContainerPaths(c.dataRoot, c.runRoot), inject: [CONFIG] },
  { provide: ContainerExits, useFactory: () => new ContainerExits() },
  { provide: VolumeLinks, useFactory: (c: BerthConfig) => new VolumeLinks(createClient(volume.VolumeServiceClient, c.services.volume).call), inject: [CONFIG] },
  { provide: NETWORK_LINK, useFactory: (c: BerthConfig): NetworkLink => new GrpcNetworkLink(createClient(network.NetworkServiceClient, c.services.network).call), inject: [CONFIG] },
  { provide: CONTAINER_RUNTIME, useFactory: (p: ContainerPaths): ContainerRuntime => new ConmonRuntime(p), inject: [ContainerPaths] },
  { provide: RootfsManager, useFactory: (p: ContainerPaths) => new RootfsManager(p), inject: [ContainerPaths] },
  { provide: AttachWaiters, useFactory: (p: ContainerPaths, l: Logger) => new AttachWaiters(p, l.child({ part: 'attach' })), inject: [ContainerPaths, LOGGER] },
  {
    provide: ExecManager,
    useFactory: (s: ContainerStore, p: ContainerPaths, x: ContainerExits, e: EventSink, l: Logger) => new ExecManager(s, p, x, e, l.child({ part: 'exec' })),
    inject: [ContainerStore, ContainerPaths, ContainerExits, EVENTS, LOGGER],
  },
  {
    provide: HealthMonitor,
    useFactory: (s: ContainerStore, x: ExecManager, e: EventSink, l: Logger) => new HealthMonitor(s, new ExecProbeRunner(x), e, l.child({ part: 'health' })),
    inject: [ContainerStore, ExecManager, EVENTS, LOGGER],
  },
  {
    provide: LIFECYCLE_OBSERVER,
    useFactory: (h: HealthMonitor, leases: ImageLeaseKeeper): LifecycleObserver => allOf(healthObserver(h), leases.lifecycleObserver()),
    inject: [HealthMonitor, ImageLeaseKeeper],
  },
  {
    provide: ContainerLifecycle,
    useFactory: (
      store: ContainerStore, paths: ContainerPaths, runtime: ContainerRuntime, rootfs: RootfsManager, volumes: VolumeLinks,
      net: NetworkLink, attach: AttachWaiters, exits: ContainerExits, events: EventSink, logger: Logger, observer: LifecycleObserver,
    ) => new ContainerLifecycle({ store, paths, runtime, rootfs, volumes, network: net, networks: net as GrpcNetworkLink, attach, exits, events, logger: logger.child({ part: 'lifecycle' }), observer }),
    inject: [ContainerStore, ContainerPaths, CONTAINER_RUNTIME, RootfsManager, VolumeLinks, NETWORK_LINK, AttachWaiters, ContainerExits, EVENTS, LOGGER, LIFECYCLE_OBSERVER],
  },
  {
    provide: ImageLeaseKeeper,
    useFactory: (c: BerthConfig, s: ContainerStore, l: Logger) => new ImageLeaseKeeper(createClient(image.ImageServiceClient, c.services.image).call, s, l.child({ part: 'leases' })),
    inject: [CONFIG, ContainerStore, LOGGER],
  },
  {
    provide: ContainerManager,
    useFactory: (s: ContainerStore, i: ImageLeaseKeeper, e: EventSink, l: Logger, v: VolumeLinks, p: ContainerPaths, lc: ContainerLifecycle, n: NetworkLink) =>
      new ContainerManager(s, i, e, l, v, p, lc, n as GrpcNetworkLink),
    inject: [ContainerStore, ImageLeaseKeeper, EVENTS, LOGGER, VolumeLinks, ContainerPaths, ContainerLifecycle, NETWORK_LINK],
  },
  { provide: ContainerLogs, useFactory: (m: ContainerManager, p: ContainerPaths, x: ContainerExits) => new ContainerLogs(m, p, x), inject: [ContainerManager, ContainerPaths, ContainerExits] },
  {
    provide: AttachHub,
    useFactory: (p: ContainerPaths, m: ContainerManager, w: AttachWaiters, logs: ContainerLogs, e: EventSink, l: Logger) =>
      new AttachHub(p, { resolve: (ref) => m.resolve(ref).record }, w, l.child({ part: 'attach' }), logReplayFrom(logs), (r) => emitContainerEvent(e, l, 'attach', r)),
    inject: [ContainerPaths, ContainerManager, AttachWaiters, ContainerLogs, EVENTS, LOGGER],
  },
  {
    provide: ContainerStats,
    useFactory: (m: ContainerManager, x: ContainerExits, p: ContainerPaths) => new ContainerStats(m, x, (id) => (c) => p.cgroup(id, c)),
    inject: [ContainerManager, ContainerExits, ContainerPaths],
  },
  {
    provide: ContainerTop,
    useFactory: (m: ContainerManager, p: ContainerPaths, e: EventSink, l: Logger) => new ContainerTop(m, (id) => (c) => p.cgroup(id, c), (r) => emitContainerEvent(e, l, 'top', r)),
    inject: [ContainerManager, ContainerPaths, EVENTS, LOGGER],
  },
  {
    provide: ContainerFiles,
    useFactory: (m: ContainerManager, r: RootfsManager, p: ContainerPaths, e: EventSink, l: Logger) => new ContainerFiles(m, r, p, e, l.child({ part: 'files' })),
    inject: [ContainerManager, RootfsManager, ContainerPaths, EVENTS, LOGGER],
  },
];

@Module({})
export class ContainerServiceModule {
  /** `config`, `logger` and `events` come from main.ts; Nest builds everything else. */
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    return {
      module: ContainerServiceModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: EVENTS, useValue: events },
        ...providers,
        ContainerGrpcController,
        ContainerLogsGrpcController,
        ContainerFilesGrpcController,
        ContainerStatsGrpcController,
        ContainerExecGrpcController,
      ],
    };
  }
}
