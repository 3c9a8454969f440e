import type { StoredEvent } from '@berth/events';
import type { container, image, volume } from '@berth/proto';

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
  /** The container host's facts, from container-service (the gateway holds no host state). */
  hostInfo(): Promise<container.HostInfo>;
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
  /**
   * Stored events between two times in nanoseconds (until open-ended when
   * undefined), a page at a time: the next page is read when asked for.
   */
  pages(sinceNano: number, untilNano: number | undefined): AsyncIterable<StoredEvent[]>;
}
