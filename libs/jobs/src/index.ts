import type { ConnectionOptions } from 'bullmq';

/** The BullMQ queues for long-running work; image-service consumes them. */
export const QUEUES = { pull: 'berth-pull', push: 'berth-push' } as const;
export type QueueName = keyof typeof QUEUES;

export interface PullJob {
  /** Normalised reference, e.g. docker.io/library/busybox:latest; also the job key. */
  reference: string;
  platform?: string;
  /** base64url X-Registry-Auth header as sent by the client. */
  registryAuth?: string;
}

export interface PushJob {
  reference: string;
  registryAuth?: string;
}

export interface JobPayloads { pull: PullJob; push: PushJob }

/** Job ids are derived from what the job does, so identical requests share one job. */
export function pullJobId(job: PullJob): string {
  return `pull:${job.platform ?? 'linux/amd64'}:${job.reference}`.replace(/:/g, '|');
}

export function pushJobId(job: PushJob): string {
  return `push:${job.reference}`.replace(/:/g, '|');
}

/** ioredis options BullMQ needs from a REDIS_URL (redis://host:port or unix:///path). */
export function redisConnectionOptions(url: string): ConnectionOptions {
  if (url.startsWith('unix:')) return { path: url.replace(/^unix:(\/\/)?/, ''), maxRetriesPerRequest: null };
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    maxRetriesPerRequest: null,
  };
}

/** One line of Docker's JSON progress stream, as the CLI draws it. */
export interface ProgressLine {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  errorDetail?: { message: string };
  error?: string;
  aux?: Record<string, unknown>;
  stream?: string;
}

/** What a worker reports with job.updateProgress: the lines since its last report. */
export interface JobProgress {
  lines: ProgressLine[];
}

export interface PullResult {
  imageId: string;
  /** Digest of the manifest pulled (the repo digest). */
  digest: string;
  /** The closing lines: Digest: ..., Status: ... */
  lines: ProgressLine[];
}

export interface PushResult {
  digest: string;
  lines: ProgressLine[];
}
