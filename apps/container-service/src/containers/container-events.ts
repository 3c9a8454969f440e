import type { ContainerRecord } from './container-record';
import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';

/** Publishes a container event with dockerd's attributes (labels, image, name, then the extras). */
export function emitContainerEvent(events: EventSink, logger: Logger, action: string, record: ContainerRecord, extra: Record<string, string> = {}): void {
  const labels = (record.Config.Labels as Record<string, string> | null | undefined) ?? {};
  events
    .publish({ Type: 'container', Action: action, Actor: { ID: record.Id, Attributes: { ...labels, image: record.ImageName, name: record.Name, ...extra } } })
    .catch((err: unknown) => {
      logger.warn('event not published', { action, container: record.Id, error: err instanceof Error ? err.message : String(err) });
    });
}
