import { Filters } from '@berth/engine-api';
import { RpcError } from '@berth/rpc';
import type { VolumeRecord } from './volume-store';

/** The label dockerd (23+) puts on volumes created without a name. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

const LIST_FILTERS = ['dangling', 'name', 'driver', 'label'] as const;
const PRUNE_FILTERS = ['label', 'label!', 'all'] as const;

export type FilterList = { key: string; values: string[] }[];

/** Decides for one volume, given how many containers reference it. */
export type VolumePredicate = (volume: VolumeRecord, refCount: number) => boolean;

function labelsMatch(filters: Filters, labels: Record<string, string>): boolean {
  if (!filters.matchKVList('label', labels)) return false;
  if (filters.contains('label!') && filters.matchKVList('label!', labels)) return false;
  return true;
}

/**
 * `docker volume ls` filters: name (exact or regular expression), label
 * (`k` or `k=v`, all must hold), driver (exact), dangling (unreferenced).
 * Unknown keys and non-boolean dangling values are refused.
 */
export function listPredicate(list: FilterList): VolumePredicate {
  const filters = Filters.fromList(list).validate(LIST_FILTERS);
  const dangling = filters.contains('dangling') ? filters.getBool('dangling', false) : undefined;
  const drivers = filters.get('driver');
  const byName = filters.contains('name');
  return (v, refCount) => {
    if (drivers.length > 0 && !drivers.includes(v.driver)) return false;
    if (byName && !filters.match('name', v.name)) return false;
    if (!labelsMatch(filters, v.labels)) return false;
    if (dangling !== undefined && (refCount === 0) !== dangling) return false;
    return true;
  };
}

/** Go's strconv.ParseBool. */
function parseGoBool(value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw RpcError.invalidArgument(`invalid filter 'all': strconv.ParseBool: parsing "${value}": invalid syntax`);
}

/**
 * Which volumes `docker volume prune` takes: local, referenced by no
 * container, without mount options (their data lives elsewhere, nothing
 * would be reclaimed), matching label / label!, and — unless `all` — only
 * anonymous ones (those carrying the anonymous label). The gateway turns
 * the API's `all` into `onlyAnonymous`; an `all` filter that still arrives
 * is honoured the way dockerd does.
 */
export function prunePredicate(list: FilterList, onlyAnonymous: boolean): VolumePredicate {
  const filters = Filters.fromList(list);
  let anonymousOnly = onlyAnonymous;
  if (filters.contains('all')) {
    const all = filters.get('all');
    if (all.length > 1) throw RpcError.invalidArgument(`invalid filter 'all=[${all.join(' ')}]': only one value is expected`);
    if (all.length === 1) anonymousOnly = !parseGoBool(all[0]);
  }
  filters.validate(PRUNE_FILTERS);
  return (v, refCount) => {
    if (v.driver !== 'local' || refCount > 0) return false;
    if (Object.keys(v.options).length > 0) return false;
    if (anonymousOnly && !Object.prototype.hasOwnProperty.call(v.labels, ANONYMOUS_LABEL)) return false;
    return labelsMatch(filters, v.labels);
  };
}
