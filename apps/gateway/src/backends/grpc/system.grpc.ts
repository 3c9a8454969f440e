import type Redis from 'ioredis';
import { RangeSource, readRangePages, StoredEvent } from '@berth/events';
import type { container, image } from '@berth/proto';
import type { ServiceClients } from '../../services/service-clients';
import type { EventsHub } from '../../events/events-hub';
import type { DiskUsage, DiskUsageRequest, EventsBackend, SystemBackend } from '../system.backend';

/** `docker info` must answer even when a service does not. */
const INFO_TIMEOUT_MS = 5000;

/** SystemBackend over the services' summaries and lists. */
export class GrpcSystemBackend implements SystemBackend {
  constructor(
    private readonly clients: ServiceClients,
    private readonly hub: EventsHub,
  ) {}

  hostInfo(): Promise<container.HostInfo> {
    return this.clients.container.getHostInfo({}, { timeoutMs: INFO_TIMEOUT_MS });
  }

  containerCounts(): Promise<container.ContainerSummary> {
    return this.clients.container.summary({}, { timeoutMs: INFO_TIMEOUT_MS });
  }

  imageCounts(): Promise<image.ImageSummary> {
    return this.clients.image.summary({}, { timeoutMs: INFO_TIMEOUT_MS });
  }

  eventFollowers(): number {
    return this.hub.followerCount;
  }

  async diskUsage(request: DiskUsageRequest): Promise<DiskUsage> {
    const [images, containers, volumes] = await Promise.all([
      request.images ? this.clients.image.list({ filters: [], all: false }) : undefined,
      request.containers ? this.clients.container.list({ all: true, limit: 0, filters: [], size: true }) : undefined,
      request.volumes ? this.clients.volume.list({ filters: [], withSize: true }) : undefined,
    ]);
    return { images: images?.images, containers: containers?.containers, volumes: volumes?.volumes };
  }
}

/** EventsBackend over the Redis events stream: one live reader per gateway, ranges read directly. */
export class RedisEventsBackend implements EventsBackend {
  constructor(private readonly hub: EventsHub, private readonly redis: Redis) {}

  subscribe(listener: (entry: StoredEvent) => void): Promise<() => void> {
    return this.hub.subscribe(listener);
  }

  pages(sinceNano: number, untilNano: number | undefined): AsyncIterable<StoredEvent[]> {
    return readRangePages(this.redis as unknown as RangeSource, sinceNano, untilNano);
  }
}
