import { JOB_CONTRACT_VERSION, PullJob, PullRequest, PushJob, PushRequest, pullJobId, pushJobId } from './payloads';
import { ANONYMOUS, JobSecrets, SealError } from './secrets';

/** A job ready to enqueue: its id and its payload, credentials sealed. */
export interface Enqueueable<J> { id: string; payload: J }

/** The gateway's side: a client's pull as a job keyed by its account, its credentials sealed for that job. */
export function sealPullJob(secrets: JobSecrets, req: PullRequest): Enqueueable<PullJob> {
  const account = secrets.account(req.registryAuth);
  const job: PullJob = { v: JOB_CONTRACT_VERSION, reference: req.reference, platform: req.platform, account };
  const id = pullJobId(job);
  if (account !== ANONYMOUS) job.sealedAuth = secrets.seal(req.registryAuth!, id);
  return { id, payload: job };
}

export function sealPushJob(secrets: JobSecrets, req: PushRequest): Enqueueable<PushJob> {
  const account = secrets.account(req.registryAuth);
  const job: PushJob = { v: JOB_CONTRACT_VERSION, reference: req.reference, account };
  const id = pushJobId(job);
  if (account !== ANONYMOUS) job.sealedAuth = secrets.seal(req.registryAuth!, id);
  return { id, payload: job };
}

/**
 * The worker's side: the credentials of a job taken off the queue. The
 * envelope must open for this job id, and what it holds must be the account
 * the id was keyed by (a payload stitched together from two jobs is refused).
 */
function openAuth(secrets: JobSecrets, jobId: string, account: string, sealed: string | undefined): string | undefined {
  if (sealed === undefined) {
    if (account !== ANONYMOUS) throw new SealError(`job ${jobId} names an account but carries no credentials`);
    return undefined;
  }
  const auth = secrets.open(sealed, jobId);
  if (secrets.account(auth) !== account) throw new SealError(`sealed registry credentials do not belong to job ${jobId}`);
  return auth;
}

export function openPullJob(secrets: JobSecrets, jobId: string, job: PullJob): PullRequest {
  if (pullJobId(job) !== jobId) throw new SealError(`job ${jobId} does not carry the payload its id names`);
  return { reference: job.reference, platform: job.platform, registryAuth: openAuth(secrets, jobId, job.account, job.sealedAuth) };
}

export function openPushJob(secrets: JobSecrets, jobId: string, job: PushJob): PushRequest {
  if (pushJobId(job) !== jobId) throw new SealError(`job ${jobId} does not carry the payload its id names`);
  return { reference: job.reference, registryAuth: openAuth(secrets, jobId, job.account, job.sealedAuth) };
}
