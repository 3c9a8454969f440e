/**
 * The jobs the gateway enqueues and image-service works, version 1 of their
 * contract (documented in libs/proto/proto/berth/jobs/v1/README.md beside
 * the gRPC contracts). A payload carries its version: a worker refuses one
 * it does not speak instead of guessing, so replicas of different versions
 * can share a queue during a rolling upgrade.
 */
export const JOB_CONTRACT_VERSION = 2;

/** The BullMQ queues for long-running work; image-service consumes them. */
export const QUEUES = { pull: 'berth-pull', push: 'berth-push' } as const;
export type QueueName = keyof typeof QUEUES;

export interface PullJob {
  v: typeof JOB_CONTRACT_VERSION;
  /** Normalised reference, e.g. docker.io/library/busybox:latest; part of the job key. */
  reference: string;
  /** "os/arch[/variant]"; empty: the container host's platform, as dockerd. */
  platform: string;
  /** Who the client is to the registry (`JobSecrets.account`): `anon` or a keyed hash; part of the job key. */
  account: string;
  /** The client's X-Registry-Auth, sealed for this job (`JobSecrets.seal`); never the header itself. */
  sealedAuth?: string;
}

export interface PushJob {
  v: typeof JOB_CONTRACT_VERSION;
  reference: string;
  account: string;
  sealedAuth?: string;
}

/** What a client asks for, credentials in the clear: it stays in the gateway's and the worker's memory. */
export interface PullRequest {
  reference: string;
  platform: string;
  /** base64url X-Registry-Auth header as sent by the client. */
  registryAuth?: string;
}

export interface PushRequest {
  reference: string;
  registryAuth?: string;
}

export interface JobPayloads { pull: PullJob; push: PushJob }

/** A payload this worker cannot work: the job fails with this message. */
export class JobContractError extends Error {}

function field(data: Record<string, unknown>, name: string, optional = false): string | undefined {
  const v = data[name];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') throw new JobContractError(`job payload: ${name} must be a string`);
  return v;
}

function payloadObject(data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new JobContractError('job payload is not an object');
  const v = (data as { v?: unknown }).v;
  if (v !== JOB_CONTRACT_VERSION) throw new JobContractError(`job payload version ${String(v)} is not spoken by this worker (it speaks ${JOB_CONTRACT_VERSION})`);
  return data as Record<string, unknown>;
}

export function parsePullJob(data: unknown): PullJob {
  const o = payloadObject(data);
  return { v: JOB_CONTRACT_VERSION, reference: field(o, 'reference')!, platform: field(o, 'platform', true) ?? '', account: field(o, 'account')!, sealedAuth: field(o, 'sealedAuth', true) };
}

export function parsePushJob(data: unknown): PushJob {
  const o = payloadObject(data);
  return { v: JOB_CONTRACT_VERSION, reference: field(o, 'reference')!, account: field(o, 'account')!, sealedAuth: field(o, 'sealedAuth', true) };
}

/**
 * Job ids are derived from what the job does and for whom, so identical
 * requests with the same credentials share one job and no other does.
 */
export function pullJobId(job: Pick<PullJob, 'v' | 'platform' | 'account' | 'reference'>): string {
  return `pull:v${job.v}:${job.platform || 'host'}:${job.account}:${job.reference}`.replace(/:/g, '|');
}

export function pushJobId(job: Pick<PushJob, 'v' | 'account' | 'reference'>): string {
  return `push:v${job.v}:${job.account}:${job.reference}`.replace(/:/g, '|');
}
