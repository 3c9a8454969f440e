import { RpcError } from '@berth/rpc';
import type { NetworkRecord, PredefinedNetwork } from './network-store';

/**
 * Which predefined network a HostConfig.NetworkMode names: "" and "default"
 * are the default bridge, as on dockerd for Linux; a network may also be
 * named by its id or an unambiguous id prefix.
 */
export function resolveNetworkMode(mode: string, networks: NetworkRecord[]): PredefinedNetwork {
  if (mode === '' || mode === 'default' || mode === 'bridge') return 'bridge';
  if (mode === 'host' || mode === 'none') return mode;
  if (mode.startsWith('container:')) {
    throw RpcError.invalidArgument(`network mode "${mode}" is not supported yet: sharing another container's network namespace is not implemented`);
  }
  const byId = networks.filter((n) => n.id === mode);
  const matches = byId.length > 0 ? byId : /^[0-9a-f]+$/.test(mode) ? networks.filter((n) => n.id.startsWith(mode)) : [];
  if (matches.length === 1) return matches[0].name as PredefinedNetwork;
  throw RpcError.notFound(`network ${mode} not found`);
}
