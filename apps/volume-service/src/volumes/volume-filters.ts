import { Filters } from '@berth/engine-api';
import type { VolumeRecord } from './volume-store';

export const LIST_FILTERS = ['dangling', 'name', 'driver', 'label'] as const;
export const PRUNE_FILTERS = ['label', 'label!'] as const;
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** Builds the predicate for `docker volume ls` / prune filters; invalid keys or values throw. */
export function volumePredicate(filters: Filters, accepted: readonly string[]): (v: VolumeRecord, refCount: number) => boolean {
  filters.validate(accepted);
  const dangling = filters.contains('dangling') ? filters.getBool('dangling', false) : undefined;
  const drivers = filters.get('driver');
  return (v, refCount) => {
    if (drivers.length > 0 && !drivers.includes(v.driver)) return false;
    if (filters.contains('name') && !filters.match('name', v.name)) return false;
    if (!filters.matchKVList('label', v.labels)) return false;
    if (filters.contains('label!') && filters.matchKVList('label!', v.labels)) return false;
    if (dangling !== undefined && (refCount === 0) !== dangling) return false;
    return true;
  };
}
