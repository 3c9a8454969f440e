import { DynamicModule, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { createRedis } from '@berth/events';
import { ServiceClients } from './services/service-clients';
import { EventsHub } from './events/events-hub';
import { readHostFacts } from './system/host-info';
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
import { CONFIG, HOST_FACTS, LOGGER, REDIS } from './tokens';
import { JobFollower } from './jobs/job-follower';
import { redisConnectionOptions } from '@berth/jobs';

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

@Module({})
export class GatewayModule {
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
    return {
      module: GatewayModule,
      controllers: [SystemController, SwarmController, VolumesController, EventsController, ImagesController, DistributionController, ContainersController, ContainerLogsController, ContainerFilesController, ContainerStatsController, ExecController, SystemDfController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: HOST_FACTS, useValue: readHostFacts(config.dataRoot) },
        { provide: REDIS, useValue: redis },
        { provide: ServiceClients, useValue: clients },
        { provide: EventsHub, useValue: hub },
        { provide: JobFollower, useValue: jobs },
        { provide: Closer, useValue: new Closer(clients, hub, redis, blocking, jobs) },
      ],
    };
  }
}
