import { Worker, ConnectionOptions, Job } from 'bullmq';
import { QUEUES, PushJob, PushResult, JobKeyFile, JobProgress, openPushJob, parsePushJob } from '@berth/jobs';
import type { Logger } from '@berth/logging';
import { Pusher } from '../pull/pusher';

/** Consumes the push queue; like pulls, a stalled push is run again by another worker. */
export function startPushWorker(pusher: Pusher, secrets: JobKeyFile, connection: ConnectionOptions, logger: Logger, concurrency = 2): Worker<PushJob, PushResult> {
  const worker = new Worker<PushJob, PushResult>(
    QUEUES.push,
    async (job: Job<PushJob, PushResult>) => pusher.push(openPushJob(secrets.secrets(), job.id ?? '', parsePushJob(job.data)), async (lines) => {
      const progress: JobProgress = { lines };
      await job.updateProgress(progress);
    }),
    { connection, concurrency, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 },
  );
  worker.on('failed', (job, err) => logger.warn('push failed', { reference: job?.data.reference, error: err.message }));
  worker.on('error', (err) => logger.warn('push worker error', { error: err.message }));
  return worker;
}
