import { Filters, EngineEvent } from '@berth/engine-api';
import { familiarName } from './familiar';

/** Whether `ev` passes `filters`, with dockerd's rules (daemon/events/filter.go). */
export function eventMatches(ev: EngineEvent, filters: Filters): boolean {
  const attrs = ev.Actor.Attributes ?? {};
  const fuzzyName = (type: string) => filters.fuzzyMatch(type, ev.Actor.ID) || filters.fuzzyMatch(type, attrs.name ?? '');
  return matchAction(ev, filters)
    && filters.exactMatch('type', ev.Type)
    && (!filters.contains('scope') || filters.exactMatch('scope', ev.scope))
    && fuzzyName('daemon') && fuzzyName('container') && fuzzyName('plugin') && fuzzyName('volume')
    && fuzzyName('network') && matchImage(ev, filters) && fuzzyName('node') && fuzzyName('service')
    && fuzzyName('secret') && fuzzyName('config')
    && (!filters.contains('label') || filters.matchKVList('label', attrs));
}

const PREFIX_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start']);

function matchAction(ev: EngineEvent, filters: Filters): boolean {
  // Actions such as "exec_start: sh -c ..." are matched by their prefix when asked by bare name.
  if (filters.get('event').some((v) => PREFIX_ACTIONS.has(v))) return filters.fuzzyMatch('event', ev.Action);
  return filters.exactMatch('event', ev.Action);
}

function matchImage(ev: EngineEvent, filters: Filters): boolean {
  const attrs = ev.Actor.Attributes ?? {};
  const imageName = attrs[ev.Type === 'image' ? 'name' : 'image'] ?? '';
  return filters.exactMatch('image', ev.Actor.ID) || filters.exactMatch('image', imageName)
    || filters.exactMatch('image', familiarName(ev.Actor.ID)) || filters.exactMatch('image', familiarName(imageName));
}
