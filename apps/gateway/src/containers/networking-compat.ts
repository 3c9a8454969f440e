import { ApiError } from '@berth/engine-api';
import type { EndpointSettings, HostConfig, NetworkingConfig } from '@berth/engine-api';
import type { ApiFeatures } from '../versions/features';
import type { ContainerCreateRequest } from '../backends/container.backend';

/** HostConfig.NetworkMode's network, as dockerd's NetworkMode.NetworkName reads it ("" and "default": the default bridge). */
function networkNameOf(mode: string): string {
  return mode === '' || mode === 'default' ? 'bridge' : mode;
}

/** Modes that have an endpoint of their own: the default bridge and user networks (not host, none, container:). */
function hasOwnEndpoint(mode: string): boolean {
  return !(mode === 'host' || mode === 'none' || mode.startsWith('container:'));
}

/**
 * The endpoint settings a container-wide setting belongs to (dockerd's
 * epConfigForNetMode): made under the mode's name when there are none; the
 * only one before 1.44; otherwise the one keyed by the mode's name.
 */
function endpointForMode(mode: string, networking: NetworkingConfig, features: ApiFeatures): EndpointSettings {
  const name = networkNameOf(mode);
  const endpoints = networking.EndpointsConfig ?? {};
  const keys = Object.keys(endpoints);
  if (keys.length === 0) {
    const ep: EndpointSettings = {};
    networking.EndpointsConfig = { [name]: ep };
    return ep;
  }
  if (!features.createOnSeveralNetworks) return endpoints[keys[0]!]!;
  const ep = endpoints[name];
  if (!ep) throw ApiError.badRequest('HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks');
  return ep;
}

/**
 * What POST /containers/create does to NetworkingConfig per API version
 * before the container is made: one network only before 1.44; GwPriority
 * read from 1.48; the container-wide Config.MacAddress moved to the main
 * network's endpoint (silently before 1.44, with a deprecation warning
 * after). Mutates the request; returns the warnings to add to the answer.
 */
export function applyNetworkingCompat(request: ContainerCreateRequest, features: ApiFeatures): string[] {
  const networking = request.networkingConfig;
  const endpoints = networking.EndpointsConfig ?? {};
  const names = Object.keys(endpoints);
  if (!features.createOnSeveralNetworks && names.length > 1) {
    throw ApiError.badRequest(`Container cannot be created with multiple network endpoints: ${names.join(', ')}`);
  }
  if (!features.endpointGwPriority) {
    for (const ep of Object.values(endpoints)) if (ep && ep.GwPriority !== undefined) ep.GwPriority = 0;
  }
  return migrateMacAddress(request.config as { MacAddress?: string }, request.hostConfig, networking, features);
}

function migrateMacAddress(config: { MacAddress?: string }, hostConfig: HostConfig, networking: NetworkingConfig, features: ApiFeatures): string[] {
  const mac = config.MacAddress ?? '';
  const mode = hostConfig.NetworkMode ?? '';
  if (!features.endpointMacAddress) {
    if (mac === '') {
      // The old API had no per-endpoint address: one sent anyway is ignored.
      for (const ep of Object.values(networking.EndpointsConfig ?? {})) if (ep) delete ep.MacAddress;
      return [];
    }
    if (!hasOwnEndpoint(mode)) throw ApiError.badRequest('conflicting options: mac-address and the network mode');
    endpointForMode(mode, networking, features).MacAddress = mac;
    return [];
  }
  if (mac === '') return [];
  if (hasOwnEndpoint(mode)) {
    let ep: EndpointSettings;
    try {
      ep = endpointForMode(mode, networking, features);
    } catch (err) {
      if (err instanceof ApiError) throw ApiError.badRequest(`unable to migrate container-wide MAC address to a specific network: ${err.message}`);
      throw err;
    }
    if (!ep.MacAddress) ep.MacAddress = mac;
    else if (ep.MacAddress !== mac) {
      throw ApiError.badRequest('the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty');
    }
  }
  delete config.MacAddress;
  return ['The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.'];
}
