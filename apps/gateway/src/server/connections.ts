import type { OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { BerthConfig } from '@berth/config';
import { createRedis } from '@berth/events';
import { jobKeyFileOf, redisConnectionOptions } from '@berth/jobs';
import type { Logger } from '@berth/logging';
import { ServiceClients } from '../services/service-clients';
import { EventsHub } from '../events/events-hub';
import { JobFollower } from '../jobs/job-follower';

/**
 * What the gateway holds open to the rest of Berth: one gRPC channel per
 * service, Redis for commands and for the blocking events reader, the events
 * hub and the job follower. Built once by the injector; closed in order
 * (followers before the connections under them) when the app closes.
 */
export class GatewayConnections implements OnApplicationShutdown {
  readonly redis: Redis;
  readonly blocking: Redis;
  readonly clients: ServiceClients;
  readonly hub: EventsHub;
  readonly jobs: JobFollower;

  constructor(config: BerthConfig, logger: Logger) {
    this.redis = createRedis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.blocking = createRedis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
    // Without a listener ioredis reports connection trouble as unhandled errors.
    for (const [name, conn] of [['commands', this.redis], ['events', this.blocking]] as const) {
      conn.on('error', (err: Error) => logger.warn('redis connection error', { connection: name, error: err.message }));
    }
    this.clients = new ServiceClients(config);
    this.hub = new EventsHub(this.blocking, this.redis, logger.child({ part: 'events' }));
    this.jobs = new JobFollower(redisConnectionOptions(config.redisUrl), logger.child({ part: 'jobs' }), jobKeyFileOf(config.runRoot));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.close();
    this.hub.stop();
    this.clients.close();
    this.blocking.disconnect();
    this.redis.disconnect();
  }
}
