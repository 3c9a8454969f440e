import { Worker, ConnectionOptions, Job } from 'bullmq';
import { QUEUES, PullJob, PullResult, JobProgress, parsePullJob } from '@berth/jobs';
import type { Logger } from '@berth/logging';
import { Puller } from '../pull/puller';

/**
 * Consumes the pull queue. Several image-service processes may run one each;
 * a job whose worker dies is found stalled by BullMQ and run again, and since
 * every step commits atomically the retry finishes the same image.
 */
export function startPullWorker(puller: Puller, connection: ConnectionOptions, logger: Logger, concurrency = 4): Worker<PullJob, PullResult> {
  const worker = new Worker<PullJob, PullResult>(
    QUEUES.pull,
    async (job: Job<PullJob, PullResult>) => {
      logger.info('pull started', { reference: job.data.reference, job: job.id });
      const result = await puller.pull(parsePullJob(job.data), async (lines) => {
        const progress: JobProgress = { lines };
        await job.updateProgress(progress);
      });
      logger.info('pull finished', { reference: job.data.reference, image: result.imageId });
      return result;
    },
    { connection, concurrency, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 },
  );
  worker.on('failed', (job, err) => logger.warn('pull failed', { reference: job?.data.reference, error: err.message }));
  worker.on('error', (err) => logger.warn('pull worker error', { error: err.message }));
  return worker;
}
