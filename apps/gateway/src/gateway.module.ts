import { DynamicModule, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { createRedis } from '@berth/events';
import { redisConnectionOptions } from '@berth/jobs';
import { ServiceClients } from './services/service-clients';
import { EventsHub } from './events/events-hub';
import { JobFollower } from './jobs/job-follower';
import { grpcBackendProviders } from './backends/grpc/providers';
import { ContainerAttach } from './hijack/attach.hijack';
import { ExecStart } from './hijack/exec.hijack';
import { SystemController } from './routes/system.controller';
import { SwarmController } from './routes/swarm.controller';
import { VolumesController } from './routes/volumes.controller';
import { EventsController } from './routes/events.controller';
import { ImagesController } from './routes/images.controller';
import { DistributionController } from './routes/distribution.controller';
import { ContainersController } from './routes/containers.controller';
import { ContainerLogsController } from './routes/container-logs.controller';
import { ContainerFilesController } from './routes/container-files.controller';
import { ContainerStatsController } from './routes/container-stats.controller';
import { ExecController } from './routes/exec.controller';
import { SystemDfController } from './routes/system-df.controller';
import { LOGGER } from './tokens';

class Closer implements OnApplicationShutdown {
  constructor(private readonly clients: ServiceClients, private readonly hub: EventsHub, private readonly redis: Redis, private readonly blocking: Redis, private readonly jobs: JobFollower) {}
  async onApplicationShutdown(): Promise<void> {
    await this.jobs.close();
    this.hub.stop();
    this.clients.close();
    this.blocking.disconnect();
    this.redis.disconnect();
  }
}

const CONTROLLERS = [
  SystemController, SwarmController, VolumesController, EventsController, ImagesController, DistributionController,
  ContainersController, ContainerLogsController, ContainerFilesController, ContainerStatsController, ExecController, SystemDfController,
];

@Module({})
export class GatewayModule {
  /** The gateway over the real services: gRPC clients, Redis for events and jobs. */
  static forRoot(config: BerthConfig, logger: Logger): DynamicModule {
    const redis = createRedis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
    const blocking = createRedis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
    // Without a listener ioredis reports connection trouble as unhandled errors.
    for (const [name, conn] of [['commands', redis], ['events', blocking]] as const) {
      conn.on('error', (err: Error) => logger.warn('redis connection error', { connection: name, error: err.message }));
    }
    const clients = new ServiceClients(config);
    const hub = new EventsHub(blocking, redis, logger.child({ part: 'events' }));
    const jobs = new JobFollower(redisConnectionOptions(config.redisUrl), logger.child({ part: 'jobs' }));
    return GatewayModule.withBackends(logger, [
      ...grpcBackendProviders({ clients, jobs, hub, redis}),
      { provide: Closer, useValue: new Closer(clients, hub, redis, blocking, jobs) },
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
