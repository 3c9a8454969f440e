import type { Worker } from 'bullmq';
import type { BerthConfig } from '@berth/config';
import { JobKeyFile, jobKeyFileOf, redisConnectionOptions } from '@berth/jobs';
import type { Logger } from '@berth/logging';
import type { Puller } from '../pull/puller';
import type { Pusher } from '../pull/pusher';
import { startPullWorker } from './pull-worker';
import { startPushWorker } from './push-worker';

/**
 * This replica's BullMQ workers: they take jobs once the service is up and
 * finish (or hand back) what they hold before it closes. Without Redis
 * there are no queues to serve.
 */
export class JobWorkers {
  private workers: Worker[] = [];

  constructor(private readonly config: BerthConfig, private readonly puller: Puller, private readonly pusher: Pusher, private readonly logger: Logger) {}

  onApplicationBootstrap(): void {
    if (!this.config.redisUrl) return;
    const connection = redisConnectionOptions(this.config.redisUrl);
    // The key the gateway seals credentials with: read now (made if this
    // replica starts first), so a bad key file stops the start, not a pull.
    const key = new JobKeyFile(jobKeyFileOf(this.config.runRoot));
    key.secrets();
    this.workers = [startPullWorker(this.puller, key, connection, this.logger), startPushWorker(this.pusher, key, connection, this.logger)];
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
