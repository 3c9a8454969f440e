/** The message shape of GET /events (Engine API `EventMessage`). */
export interface EventActor {
  ID: string;
  Attributes: Record<string, string>;
}

export type EventType =
  | 'builder' | 'config' | 'container' | 'daemon' | 'image' | 'network'
  | 'node' | 'plugin' | 'secret' | 'service' | 'volume';

export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: EventActor;
  scope: 'local' | 'swarm';
  time: number;
  timeNano: number;
  /** Legacy fields dockerd still sends for container and image events. */
  status?: string;
  id?: string;
  from?: string;
}
