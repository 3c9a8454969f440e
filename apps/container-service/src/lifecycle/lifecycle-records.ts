import type { ContainerRecord, ContainerState } from '../containers/container-record';
import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { emitContainerEvent } from '../containers/container-events';
import type { ContainerStore } from '../containers/container-store';
import type { ContainerMount } from './volume-links';


export function mountPlan(r: ContainerRecord): ContainerMount[] {
  return r.MountPlan ?? [];
}

/** A process exists (or is about to, for `restarting`). */
export function isActive(status: string): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}

/** The container records as the lifecycle's parts read and change them, and the events they cause. */
export class LifecycleRecords {
  constructor(
    private readonly store: ContainerStore,
    private readonly events: EventSink,
    private readonly logger: Logger,
  ) {}

  find(id: string): ContainerRecord | undefined {
    return this.store.get(id)?.record;
  }

  get(id: string): ContainerRecord {
    const r = this.find(id);
    if (!r) throw RpcError.notFound(`No such container: ${id}`);
    return r;
  }

  list(): ContainerRecord[] {
    return this.store.list().map((c) => c.record);
  }

  /** Changes State (and with `more` the rest of the record) in one store update. */
  setState(id: string, fn: (s: ContainerState, r: ContainerRecord) => void, more?: (r: ContainerRecord) => void): ContainerRecord {
    const updated = this.store.update(id, (r) => {
      const next: ContainerRecord = { ...r, State: { ...r.State } };
      fn(next.State, next);
      more?.(next);
      return next;
    });
    if (!updated) throw RpcError.notFound(`No such container: ${id}`);
    return updated;
  }

  update(id: string, fn: (r: ContainerRecord) => ContainerRecord): ContainerRecord | undefined {
    return this.store.update(id, fn);
  }

  delete(id: string): boolean {
    return this.store.delete(id);
  }

  emit(action: string, record: ContainerRecord, extra: Record<string, string> = {}): void {
    emitContainerEvent(this.events, this.logger, action, record, extra);
  }
}
