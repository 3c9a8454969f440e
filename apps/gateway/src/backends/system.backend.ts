import type { StoredEvent } from '@berth/events';
import type { container, image, volume } from '@berth/proto';
import type { HostFacts } from '../system/host-info';

/** Which parts of `docker system df` to gather. */
export interface DiskUsageRequest {
  images: boolean;
  containers: boolean;
  volumes: boolean;
}

/** The lists `docker system df` is made of; a part not asked for is absent. */
export interface DiskUsage {
  images?: image.Image[];
  /** With their sizes. */
  containers?: container.Container[];
  /** With their sizes. */
  volumes?: volume.Volume[];
}

/** The engine as a whole: info, version, df (routes/system.controller.ts, system-df.controller.ts). */
export interface SystemBackend {
  /** Facts about the host, read once. */
  readonly hostFacts: HostFacts;
  readonly dataRoot: string;
  containerCounts(): Promise<container.ContainerSummary>;
  imageCounts(): Promise<image.ImageSummary>;
  /** How many clients follow /events through this gateway. */
  eventFollowers(): number;
  diskUsage(request: DiskUsageRequest): Promise<DiskUsage>;
}

/** The events stream (routes/events.controller.ts). */
export interface EventsBackend {
  /**
   * Follows live events; resolves once following from a point no later than
   * now, with the function that stops it.
   */
  subscribe(listener: (entry: StoredEvent) => void): Promise<() => void>;
  /** Stored events between two times in nanoseconds (until open-ended when undefined). */
  readRange(sinceNano: number, untilNano: number | undefined): Promise<StoredEvent[]>;
}
