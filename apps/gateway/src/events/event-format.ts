import type { EngineEvent } from '@berth/engine-api';
import type { ApiFeatures } from '../versions/features';

/** The event as the request's API version shows it; undefined when that version hides it. */
export function formatEvent(event: EngineEvent, features: ApiFeatures): Record<string, unknown> | undefined {
  if (!features.eventsImageCreate && event.Type === 'image' && event.Action === 'create') return undefined;
  if (!features.eventsLegacyFields) return { ...event };
  if (event.Type === 'container') {
    return { status: event.Action, id: event.Actor.ID, from: event.Actor.Attributes?.image ?? '', ...event };
  }
  if (event.Type === 'image') return { status: event.Action, id: event.Actor.ID, ...event };
  return { ...event };
}
