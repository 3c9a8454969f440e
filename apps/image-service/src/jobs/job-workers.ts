import type { Worker } from 'bullmq';
import type { BerthConfig } from '@berth/config';
import { JobSecrets, jobKeyFileOf, redisConnectionOptions } from '@berth/jobs';
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
    // The key the gateway seals credentials with; made here if this replica starts first.
    const secrets = JobSecrets.fromFile(jobKeyFileOf(this.config.runRoot));
    this.workers = [startPullWorker(this.puller, secrets, connection, this.logger), startPushWorker(this.pusher, secrets, connection, this.logger)];
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
