import { Worker, ConnectionOptions, Job } from 'bullmq';
import { QUEUES, PullJob, PullResult, JobKeyFile, JobProgress, openPullJob, parsePullJob } from '@berth/jobs';
import type { Logger } from '@berth/logging';
import { Puller } from '../pull/puller';

/**
 * Consumes the pull queue. Several image-service processes may run one each;
 * a job whose worker dies is found stalled by BullMQ and run again, and since
 * every step commits atomically the retry finishes the same image. The
 * client's credentials are opened from the job's envelope and live only in
 * this process's memory for the pull (nothing of them is logged).
 */
export function startPullWorker(puller: Puller, secrets: JobKeyFile, connection: ConnectionOptions, logger: Logger, concurrency = 4): Worker<PullJob, PullResult> {
  const worker = new Worker<PullJob, PullResult>(
    QUEUES.pull,
    async (job: Job<PullJob, PullResult>) => {
      const request = openPullJob(secrets.secrets(), job.id ?? '', parsePullJob(job.data));
      logger.info('pull started', { reference: request.reference, job: job.id });
      const result = await puller.pull(request, async (lines) => {
        const progress: JobProgress = { lines };
        await job.updateProgress(progress);
      });
      logger.info('pull finished', { reference: request.reference, image: result.imageId });
      return result;
    },
    { connection, concurrency, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 },
  );
  worker.on('failed', (job, err) => logger.warn('pull failed', { reference: job?.data.reference, error: err.message }));
  worker.on('error', (err) => logger.warn('pull worker error', { error: err.message }));
  return worker;
}
