import type { ContainerRecord } from '../containers/stored-record';

/**
 * Told of each start and stop (the health monitor listens). Built before the
 * lifecycle and handed to it, so the lifecycle never needs to know who listens.
 */
export interface LifecycleObserver {
  started?(record: ContainerRecord): void;
  /** A running container found again after a restart of this service. */
  restored?(record: ContainerRecord): void;
  stopped?(id: string): void;
}
