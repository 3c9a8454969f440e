import type { Readable } from 'node:stream';
import type { common, image } from '@berth/proto';
import type { ProgressLine, PullRequest, PushRequest } from '@berth/jobs';
import type { MessageStream } from './streams';

/** Progress lines as a job reports them; the result's own lines come last. */
export type ProgressListener = (lines: ProgressLine[]) => void;

/** Images (routes/images.controller.ts). */
export interface ImageBackend {
  list(request: image.ListImagesRequest): Promise<image.ListImagesResponse>;
  inspect(request: image.ImageName): Promise<image.Image>;
  history(request: image.ImageName): Promise<image.HistoryResponse>;
  tag(request: image.TagRequest): Promise<void>;
  remove(request: image.RemoveImageRequest): Promise<image.RemoveImageResponse>;
  prune(request: image.PruneImagesRequest): Promise<image.PruneImagesResponse>;
  search(request: image.SearchRequest): Promise<image.SearchResponse>;
  /** `docker load`: the archive in, progress messages out. */
  load(archive: Readable): MessageStream<image.ProgressMessage>;
  /** `docker save`: the archive of the named images. */
  save(request: image.SaveRequest): MessageStream<common.DataChunk>;
  /** `docker import`: a root filesystem tar in; resolves to the new image's ID. */
  importImage(options: image.ImportOptions, archive: Readable): Promise<string>;
  /**
   * Runs (or joins) the pull of this reference for these credentials; rejects
   * with the job's failure. Only a request with the same credentials joins.
   */
  pull(request: PullRequest, onProgress: ProgressListener): Promise<ProgressLine[]>;
  push(request: PushRequest, onProgress: ProgressListener): Promise<ProgressLine[]>;
}

/** The registry side: docker login and distribution inspect (routes/distribution.controller.ts). */
export interface DistributionBackend {
  login(request: image.LoginRequest): Promise<image.LoginResponse>;
  distributionInspect(request: image.DistributionRequest): Promise<image.DistributionResponse>;
}
