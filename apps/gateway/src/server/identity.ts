import * as os from 'node:os';
import { MAX_API_VERSION, MIN_API_VERSION } from '@berth/engine-api';

/**
 * The engine version Berth reports. It names the Docker Engine release whose
 * API (1.50) Berth implements, so clients that gate features on the engine
 * version behave as they would against that dockerd.
 */
export const ENGINE_VERSION = '28.3.3';
export const BERTH_VERSION = '0.1.0';
export const SERVER_HEADER = `Docker/${ENGINE_VERSION} (linux)`;
export const BUILD_TIME = '2026-11-29T00:00:00.000000000+00:00';

export const COMMON_HEADERS: Record<string, string> = {
  'Api-Version': MAX_API_VERSION,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: SERVER_HEADER,
};

export function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
  return map[os.arch()] ?? os.arch();
}

export { MAX_API_VERSION, MIN_API_VERSION };
