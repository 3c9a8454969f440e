import type { Provider } from '@nestjs/common';
import { GatewayConnections } from '../../server/connections';
import {
  CONTAINER_ATTACH_BACKEND, CONTAINER_BACKEND, CONTAINER_COPY_BACKEND, CONTAINER_MONITOR_BACKEND,
  DISTRIBUTION_BACKEND, EVENTS_BACKEND, EXEC_BACKEND, IMAGE_BACKEND, NETWORK_BACKEND, SYSTEM_BACKEND, VOLUME_BACKEND,
} from '../tokens';
import { GrpcContainerBackend, GrpcContainerCopyBackend, GrpcContainerMonitorBackend } from './container.grpc';
import { GrpcExecBackend } from './exec.grpc';
import { GrpcDistributionBackend, GrpcImageBackend } from './image.grpc';
import { GrpcVolumeBackend } from './volume.grpc';
import { GrpcNetworkBackend } from './network.grpc';
import { GrpcSystemBackend, RedisEventsBackend } from './system.grpc';

const over = <T>(build: (c: GatewayConnections) => T) => ({ inject: [GatewayConnections], useFactory: build });

/** Every backend token bound to its adapter over the services; the injector builds them from the connections. */
export const grpcBackendProviders: Provider[] = [
  { provide: GrpcContainerBackend, ...over((c) => new GrpcContainerBackend(c.clients)) },
  { provide: CONTAINER_BACKEND, useExisting: GrpcContainerBackend },
  { provide: CONTAINER_ATTACH_BACKEND, useExisting: GrpcContainerBackend },
  { provide: CONTAINER_MONITOR_BACKEND, ...over((c) => new GrpcContainerMonitorBackend(c.clients)) },
  { provide: CONTAINER_COPY_BACKEND, ...over((c) => new GrpcContainerCopyBackend(c.clients)) },
  { provide: EXEC_BACKEND, ...over((c) => new GrpcExecBackend(c.clients)) },
  { provide: IMAGE_BACKEND, ...over((c) => new GrpcImageBackend(c.clients, c.jobs)) },
  { provide: DISTRIBUTION_BACKEND, ...over((c) => new GrpcDistributionBackend(c.clients)) },
  { provide: VOLUME_BACKEND, ...over((c) => new GrpcVolumeBackend(c.clients)) },
  { provide: NETWORK_BACKEND, ...over((c) => new GrpcNetworkBackend(c.clients)) },
  { provide: SYSTEM_BACKEND, ...over((c) => new GrpcSystemBackend(c.clients, c.hub)) },
  { provide: EVENTS_BACKEND, ...over((c) => new RedisEventsBackend(c.hub, c.redis)) },
];
