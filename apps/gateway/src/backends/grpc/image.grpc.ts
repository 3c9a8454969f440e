import type { Readable } from 'node:stream';
import type { common, image } from '@berth/proto';
import { ProgressLine, PullRequest, PushRequest, sealPullJob, sealPushJob } from '@berth/jobs';
import type { ServiceClients } from '../../services/service-clients';
import type { JobFollower } from '../../jobs/job-follower';
import type { DistributionBackend, ImageBackend, ProgressListener } from '../image.backend';
import type { MessageStream } from '../streams';
import { pipeBody } from './pipe-body';

const PRUNE_TIMEOUT_MS = 30 * 60_000;

/** ImageBackend over image-service, with pulls and pushes as BullMQ jobs. */
export class GrpcImageBackend implements ImageBackend {
  constructor(private readonly clients: ServiceClients, private readonly jobs: JobFollower) {}

  list(request: image.ListImagesRequest): Promise<image.ListImagesResponse> {
    return this.clients.image.list(request);
  }

  inspect(request: image.ImageName): Promise<image.Image> {
    return this.clients.image.inspect(request);
  }

  history(request: image.ImageName): Promise<image.HistoryResponse> {
    return this.clients.image.history(request);
  }

  async tag(request: image.TagRequest): Promise<void> {
    await this.clients.image.tag(request);
  }

  remove(request: image.RemoveImageRequest): Promise<image.RemoveImageResponse> {
    return this.clients.image.remove(request);
  }

  prune(request: image.PruneImagesRequest): Promise<image.PruneImagesResponse> {
    return this.clients.image.prune(request, { timeoutMs: PRUNE_TIMEOUT_MS });
  }

  search(request: image.SearchRequest): Promise<image.SearchResponse> {
    return this.clients.image.search(request);
  }

  load(archive: Readable): MessageStream<image.ProgressMessage> {
    const call = this.clients.imageStreams.load();
    pipeBody(archive, call, (data) => ({ data }));
    return call;
  }

  save(request: image.SaveRequest): MessageStream<common.DataChunk> {
    return this.clients.imageStreams.save(request);
  }

  importImage(options: image.ImportOptions, archive: Readable): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const call = this.clients.imageStreams.import((err, res) => (err ? reject(err) : resolve(res!.id)));
      call.write({ part: { $case: 'options', options } });
      pipeBody(archive, call, (data) => ({ part: { $case: 'data' as const, data } }));
      archive.on('error', reject);
    });
  }

  /** The credentials are sealed for the worker here: Redis only ever holds the envelope. */
  async pull(request: PullRequest, onProgress: ProgressListener): Promise<ProgressLine[]> {
    const { id, payload } = sealPullJob(this.jobs.secrets(), request);
    return (await this.jobs.run('pull', id, payload, onProgress)).lines ?? [];
  }

  async push(request: PushRequest, onProgress: ProgressListener): Promise<ProgressLine[]> {
    const { id, payload } = sealPushJob(this.jobs.secrets(), request);
    return (await this.jobs.run('push', id, payload, onProgress)).lines ?? [];
  }
}

/** DistributionBackend over image-service's registry client. */
export class GrpcDistributionBackend implements DistributionBackend {
  constructor(private readonly clients: ServiceClients) {}

  login(request: image.LoginRequest): Promise<image.LoginResponse> {
    return this.clients.image.login(request);
  }

  distributionInspect(request: image.DistributionRequest): Promise<image.DistributionResponse> {
    return this.clients.image.distributionInspect(request);
  }
}
