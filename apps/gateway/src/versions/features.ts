import { versionAtLeast, versionLessThan } from '@berth/engine-api';

/**
 * Everything that differs between Engine API versions, decided in one place
 * from the request's version (the API reference's version history).
 */
export interface ApiFeatures {
  version: string;
  /** 1.42: volume prune removes only anonymous volumes unless filter all=true. */
  volumePruneOnlyAnonymous: boolean;
  /** 1.42: the `all` filter of volume prune exists. */
  volumePruneAllFilter: boolean;
  /** Before 1.52 container/image events repeat status, id and from at top level. */
  eventsLegacyFields: boolean;
  /** 1.46: image `create` events are reported. */
  eventsImageCreate: boolean;
  /** 1.52: /events answers application/x-ndjson (before: application/json). */
  eventsContentType: string;
  /** Before 1.44 images carry VirtualSize. */
  imageVirtualSize: boolean;
  /** Before 1.45 image inspect carries Container and ContainerConfig. */
  imageContainerConfig: boolean;
  /** 1.42: logs of a container without a TTY answer application/vnd.docker.multiplexed-stream (before: raw-stream). */
  logsMultiplexedContentType: boolean;
}

export function featuresFor(version: string): ApiFeatures {
  return {
    version,
    volumePruneOnlyAnonymous: versionAtLeast(version, '1.42'),
    volumePruneAllFilter: versionAtLeast(version, '1.42'),
    eventsLegacyFields: versionLessThan(version, '1.52'),
    eventsImageCreate: versionAtLeast(version, '1.46'),
    eventsContentType: versionLessThan(version, '1.52') ? 'application/json' : 'application/x-ndjson',
    imageVirtualSize: versionLessThan(version, '1.44'),
    imageContainerConfig: versionLessThan(version, '1.45'),
    logsMultiplexedContentType: versionAtLeast(version, '1.42'),
  };
}
