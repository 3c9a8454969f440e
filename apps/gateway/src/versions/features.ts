import { ApiError, MAX_API_VERSION, MIN_API_VERSION, versionAtLeast, versionLessThan } from '@berth/engine-api';

/**
 * dockerd refuses versions outside its range before routing; the wording is
 * what clients show.
 */
export function checkVersionSupported(version: string): void {
  if (versionLessThan(MAX_API_VERSION, version)) {
    throw ApiError.badRequest(`client version ${version} is too new. Maximum supported API version is ${MAX_API_VERSION}`);
  }
  if (versionLessThan(version, MIN_API_VERSION)) {
    throw ApiError.badRequest(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
}

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
  /**
   * 1.42: framed output (logs, attach and exec of a container without a TTY)
   * is announced as application/vnd.docker.multiplexed-stream (before: raw-stream).
   */
  multiplexedStreamContentType: boolean;
  /** 1.42: exec create and start take ConsoleSize. */
  execConsoleSize: boolean;
  /** 1.28: websocket attach sends binary frames (before: text). */
  websocketBinaryFrames: boolean;
  /** 1.48: network create reads EnableIPv4 (before, the field is ignored and IPv4 is on). */
  networkEnableIPv4: boolean;
  /** 1.44: a container may be created on several networks (NetworkingConfig.EndpointsConfig). */
  createOnSeveralNetworks: boolean;
  /** 1.48: endpoint settings' GwPriority is read (before, every endpoint has priority 0). */
  endpointGwPriority: boolean;
  /** 1.44: MAC addresses are per endpoint; Config.MacAddress is migrated to the main network's endpoint. */
  endpointMacAddress: boolean;
  /** Before 1.45 inspect adds the short ID and the hostname to the Aliases of each user-network endpoint. */
  aliasesWithShortId: boolean;
  /** Before 1.28 the network list carries each network's Containers (later only an inspect does). */
  networkListContainers: boolean;
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
    multiplexedStreamContentType: versionAtLeast(version, '1.42'),
    execConsoleSize: versionAtLeast(version, '1.42'),
    websocketBinaryFrames: versionAtLeast(version, '1.28'),
    networkEnableIPv4: versionAtLeast(version, '1.48'),
    createOnSeveralNetworks: versionAtLeast(version, '1.44'),
    endpointGwPriority: versionAtLeast(version, '1.48'),
    endpointMacAddress: versionAtLeast(version, '1.44'),
    aliasesWithShortId: versionLessThan(version, '1.45'),
    networkListContainers: versionLessThan(version, '1.28'),
  };
}
