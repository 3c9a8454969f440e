import type { ContainerRecord } from '../containers/container-record';

/**
 * Told of each start, stop and removal (the health monitor and the image
 * leases listen). Built before the lifecycle and handed to it, so the
 * lifecycle never needs to know who listens.
 */
export interface LifecycleObserver {
  started?(record: ContainerRecord): void;
  /** A running container found again after a restart of this service. */
  restored?(record: ContainerRecord): void;
  stopped?(id: string): void;
  /** The record and its files are gone and its waiters answered. */
  removed?(record: ContainerRecord): void;
}

/** One observer that tells each of `observers` in turn. */
export function allOf(...observers: LifecycleObserver[]): LifecycleObserver {
  return {
    started: (r) => { for (const o of observers) o.started?.(r); },
    restored: (r) => { for (const o of observers) o.restored?.(r); },
    stopped: (id) => { for (const o of observers) o.stopped?.(id); },
    removed: (r) => { for (const o of observers) o.removed?.(r); },
  };
}
