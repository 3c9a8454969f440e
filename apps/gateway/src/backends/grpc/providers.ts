import type { Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import type { ServiceClients } from '../../services/service-clients';
import type { JobFollower } from '../../jobs/job-follower';
import type { EventsHub } from '../../events/events-hub';
import {
  CONTAINER_ATTACH_BACKEND, CONTAINER_BACKEND, CONTAINER_COPY_BACKEND, CONTAINER_MONITOR_BACKEND,
  DISTRIBUTION_BACKEND, EVENTS_BACKEND, EXEC_BACKEND, IMAGE_BACKEND, SYSTEM_BACKEND, VOLUME_BACKEND,
} from '../tokens';
import { GrpcContainerBackend, GrpcContainerCopyBackend, GrpcContainerMonitorBackend } from './container.grpc';
import { GrpcExecBackend } from './exec.grpc';
import { GrpcDistributionBackend, GrpcImageBackend } from './image.grpc';
import { GrpcVolumeBackend } from './volume.grpc';
import { GrpcSystemBackend, RedisEventsBackend } from './system.grpc';

export interface GrpcBackendDeps {
  clients: ServiceClients;
  jobs: JobFollower;
  hub: EventsHub;
  redis: Redis;
}

/** Every backend token bound to its adapter over the services. */
export function grpcBackendProviders(deps: GrpcBackendDeps): Provider[] {
  const containers = new GrpcContainerBackend(deps.clients);
  return [
    { provide: CONTAINER_BACKEND, useValue: containers },
    { provide: CONTAINER_ATTACH_BACKEND, useValue: containers },
    { provide: CONTAINER_MONITOR_BACKEND, useValue: new GrpcContainerMonitorBackend(deps.clients) },
    { provide: CONTAINER_COPY_BACKEND, useValue: new GrpcContainerCopyBackend(deps.clients) },
    { provide: EXEC_BACKEND, useValue: new GrpcExecBackend(deps.clients) },
    { provide: IMAGE_BACKEND, useValue: new GrpcImageBackend(deps.clients, deps.jobs) },
    { provide: DISTRIBUTION_BACKEND, useValue: new GrpcDistributionBackend(deps.clients) },
    { provide: VOLUME_BACKEND, useValue: new GrpcVolumeBackend(deps.clients) },
    { provide: SYSTEM_BACKEND, useValue: new GrpcSystemBackend(deps.clients, deps.hub) },
    { provide: EVENTS_BACKEND, useValue: new RedisEventsBackend(deps.hub, deps.redis) },
  ];
}
