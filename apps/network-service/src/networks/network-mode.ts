import { RpcError } from '@berth/rpc';

/**
 * The network a HostConfig.NetworkMode (or an endpoint's network) names, as a
 * term for findNetwork: "" and "default" are the default bridge, as on
 * dockerd for Linux. container:<id> is container-service's business.
 */
export function resolveNetworkMode(mode: string): string {
  if (mode === '' || mode === 'default') return 'bridge';
  if (mode.startsWith('container:')) {
    throw RpcError.invalidArgument(`network mode "${mode}" is container-service's to handle: it shares the other container's namespace`);
  }
  return mode;
}
