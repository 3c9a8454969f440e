import type Redis from 'ioredis';
import type { EngineEvent, EventActor, EventType } from '@berth/engine-api';

/** The Redis stream every service appends its events to. */
export const EVENTS_STREAM = 'berth:events';

export interface EventInput {
  Type: EventType;
  Action: string;
  Actor: EventActor;
  scope?: 'local' | 'swarm';
}

/** Current wall-clock time in nanoseconds, as dockerd's timeNano. */
export function nowNano(): number {
  const [s, ns] = process.hrtime();
  // hrtime is monotonic, not wall-clock: anchor it to Date.now() once.
  return hrAnchor.wallNs + ((s - hrAnchor.s) * 1e9 + (ns - hrAnchor.ns));
}
const hrAnchor = (() => { const [s, ns] = process.hrtime(); return { s, ns, wallNs: Date.now() * 1e6 }; })();

export function buildEvent(input: EventInput, timeNano = nowNano()): EngineEvent {
  return {
    Type: input.Type,
    Action: input.Action,
    Actor: { ID: input.Actor.ID, Attributes: { ...input.Actor.Attributes } },
    scope: input.scope ?? 'local',
    time: Math.floor(timeNano / 1e9),
    timeNano,
  };
}

/** Appends events to the bounded stream; a failed append is logged by the caller, never fatal. */
export class EventPublisher {
  constructor(private readonly redis: Redis, private readonly maxLength = 100_000) {}

  async publish(input: EventInput): Promise<EngineEvent> {
    const event = buildEvent(input);
    await this.redis.xadd(EVENTS_STREAM, 'MAXLEN', '~', String(this.maxLength), '*', 'e', JSON.stringify(event));
    return event;
  }
}
