import { Filters, untilMillis } from '@berth/engine-api';
import { RpcError } from '@berth/rpc';
import { isPredefined, NetworkRecord } from './network-store';

/** dockerd's acceptedNetworkFilters. */
export const LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'] as const;
export const PRUNE_FILTERS = ['label', 'label!', 'until'] as const;

function invalidType(value: string): RpcError {
  return RpcError.invalidArgument(`invalid filter: 'type'='${value}'`);
}

/**
 * `GET /networks`'s filters: name and id by substring/expression as
 * dockerd's Match (id also by prefix), label (key or key=value), driver,
 * scope, type (custom/builtin) and dangling (no endpoint; predefined
 * networks are never dangling).
 */
export function listPredicate(filters: Filters, endpointCount: (n: NetworkRecord) => number): (n: NetworkRecord) => boolean {
  filters.validate(LIST_FILTERS);
  for (const t of filters.get('type')) if (t !== 'custom' && t !== 'builtin') throw invalidType(t);
  for (const s of filters.get('scope')) if (!['local', 'swarm', 'global'].includes(s)) throw RpcError.invalidArgument(`invalid filter: 'scope'='${s}'`);
  const dangling = filters.contains('dangling') ? filters.getBool('dangling', false) : undefined;
  return (n) => {
    if (!filters.match('name', n.name)) return false;
    if (!filters.fuzzyMatch('id', n.id) && !filters.match('id', n.id)) return false;
    if (!filters.matchKVList('label', n.labels)) return false;
    if (!filters.exactMatch('driver', n.driver)) return false;
    if (!filters.exactMatch('scope', n.scope)) return false;
    if (!filters.exactMatch('type', isPredefined(n.name) ? 'builtin' : 'custom')) return false;
    if (dangling !== undefined) {
      const isDangling = !isPredefined(n.name) && endpointCount(n) === 0;
      if (isDangling !== dangling) return false;
    }
    return true;
  };
}


/** `POST /networks/prune`: custom networks without endpoints, created before `until`, matching label / not label!. */
export function prunePredicate(filters: Filters, endpointCount: (n: NetworkRecord) => number, now = Date.now()): (n: NetworkRecord) => boolean {
  filters.validate(PRUNE_FILTERS);
  const until = filters.get('until').map((u) => untilMillis(u, now));
  return (n) => {
    if (isPredefined(n.name) || endpointCount(n) > 0) return false;
    if (!filters.matchKVList('label', n.labels)) return false;
    for (const v of filters.get('label!')) {
      const eq = v.indexOf('=');
      const k = eq < 0 ? v : v.slice(0, eq);
      if (Object.prototype.hasOwnProperty.call(n.labels, k) && (eq < 0 || n.labels[k] === v.slice(eq + 1))) return false;
    }
    const created = Date.parse(n.created);
    if (until.some((u) => created >= u)) return false;
    return true;
  };
}
