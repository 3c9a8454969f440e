import { Queue, QueueEvents, ConnectionOptions } from 'bullmq';
import { JobKeyFile, JobSecrets, QUEUES, QueueName, JobPayloads, ProgressLine, progressLinesOf } from '@berth/jobs';
import type { Logger } from '@berth/logging';

interface Listener {
  progress(lines: ProgressLine[]): void;
  done(result: { lines?: ProgressLine[] } | undefined, error?: string): void;
}

/**
 * Enqueues long-running jobs and follows them through BullMQ's event stream
 * (Redis, no polling). One QueueEvents reader per queue per gateway serves
 * every client; clients asking for the same work share the job.
 */
export class JobFollower {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly events = new Map<QueueName, QueueEvents>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly key: JobKeyFile;

  /** `keyFile`: the key shared with image-service's workers, read (or made) when a job first needs it. */
  constructor(private readonly connection: ConnectionOptions, private readonly logger: Logger, keyFile: string) {
    this.key = new JobKeyFile(keyFile);
  }

  /** What seals a job's credentials and keys jobs by account (see libs/jobs secrets.ts). */
  secrets(): JobSecrets {
    return this.key.secrets();
  }

  private queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(QUEUES[name], { connection: this.connection });
      q.on('error', (err) => this.logger.warn('queue error', { queue: name, error: err.message }));
      this.queues.set(name, q);
    }
    return q;
  }

  private async eventsOf(name: QueueName): Promise<void> {
    if (this.events.has(name)) return;
    const ev = new QueueEvents(QUEUES[name], { connection: this.connection });
    this.events.set(name, ev);
    ev.on('error', (err) => this.logger.warn('queue events error', { queue: name, error: err.message }));
    ev.on('progress', ({ jobId, data }) => {
      const lines = progressLinesOf(data);
      for (const l of this.listeners.get(`${name}:${jobId}`) ?? []) l.progress(lines);
    });
    ev.on('completed', ({ jobId, returnvalue }) => {
      const result = typeof returnvalue === 'string' ? safeParse(returnvalue) : (returnvalue as { lines?: ProgressLine[] });
      for (const l of this.listeners.get(`${name}:${jobId}`) ?? []) l.done(result);
    });
    ev.on('failed', ({ jobId, failedReason }) => {
      for (const l of this.listeners.get(`${name}:${jobId}`) ?? []) l.done(undefined, failedReason || 'job failed');
    });
    await ev.waitUntilReady();
  }

  /**
   * Runs (or joins) the job with this id and calls back with its progress
   * lines, then its result or error. Resolves when it has ended.
   */
  async run<N extends QueueName>(name: N, jobId: string, payload: JobPayloads[N], onProgress: (lines: ProgressLine[]) => void): Promise<{ lines?: ProgressLine[] }> {
    await this.eventsOf(name);
    const key = `${name}:${jobId}`;
    return new Promise((resolve, reject) => {
      let finished = false;
      const listener: Listener = {
        progress: (lines) => { if (!finished) onProgress(lines); },
        done: (result, error) => {
          if (finished) return;
          finished = true;
          this.listeners.get(key)?.delete(listener);
          if (error) reject(new Error(error)); else resolve(result ?? {});
        },
      };
      const set = this.listeners.get(key) ?? new Set<Listener>();
      set.add(listener);
      this.listeners.set(key, set);
      void (async () => {
        try {
          // Finished jobs are removed at once, so a later request runs the work anew.
          const job = await this.queue(name).add(name, payload, { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1 });
          // It may have ended between our listening and the add returning.
          const state = await job.getState();
          if (state === 'completed') listener.done(job.returnvalue as { lines?: ProgressLine[] });
          else if (state === 'failed') listener.done(undefined, job.failedReason || 'job failed');
        } catch (err) {
          listener.done(undefined, err instanceof Error ? err.message : String(err));
        }
      })();
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.events.values()].map((e) => e.close().catch(() => undefined)));
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }
}

function safeParse(s: string): { lines?: ProgressLine[] } | undefined {
  try {
    return JSON.parse(s) as { lines?: ProgressLine[] };
  } catch {
    return undefined;
  }
}
