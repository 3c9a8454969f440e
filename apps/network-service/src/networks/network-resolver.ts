import { RpcError } from '@berth/rpc';
import type { NetworkRecord } from './network-store';

/**
 * dockerd's FindNetwork: a full id first, then an exact name, then a unique
 * id prefix. NOT_FOUND "network X not found"; several by prefix (or name) is
 * INVALID_ARGUMENT, as dockerd answers 400.
 */
export function findNetwork(term: string, networks: NetworkRecord[]): NetworkRecord {
  const byId = networks.find((n) => n.id === term);
  if (byId) return byId;
  const byName = networks.filter((n) => n.name === term);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw RpcError.invalidArgument(`network ${term} is ambiguous (${byName.length} matches found based on name)`);
  const byPrefix = term !== '' && /^[0-9a-f]+$/.test(term) ? networks.filter((n) => n.id.startsWith(term)) : [];
  if (byPrefix.length === 1) return byPrefix[0];
  if (byPrefix.length > 1) throw RpcError.invalidArgument(`network ${term} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
  throw RpcError.notFound(`network ${term} not found`);
}
