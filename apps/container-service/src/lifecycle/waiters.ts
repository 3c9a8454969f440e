import { status } from '@grpc/grpc-js';
import { RpcError } from '@berth/rpc';

export interface WaitResult {
  statusCode: number;
  error: string;
}

/** `POST /containers/{id}/wait` callers: woken at the next stop, or at removal. */
export class Waiters {
  private readonly stop = new Map<string, Set<(r: WaitResult) => void>>();
  private readonly removed = new Map<string, Set<(r: WaitResult) => void>>();

  private add(map: Map<string, Set<(r: WaitResult) => void>>, id: string, signal?: AbortSignal): Promise<WaitResult> {
    return new Promise((resolve, reject) => {
      let set = map.get(id);
      if (!set) map.set(id, (set = new Set()));
      const done = (r: WaitResult) => {
        signal?.removeEventListener('abort', abort);
        resolve(r);
      };
      const abort = () => {
        set!.delete(done);
        // the caller went away: nothing to report
        reject(new RpcError(status.CANCELLED, 'wait cancelled'));
      };
      signal?.addEventListener('abort', abort, { once: true });
      set.add(done);
    });
  }

  nextStop(id: string, signal?: AbortSignal): Promise<WaitResult> {
    return this.add(this.stop, id, signal);
  }

  removal(id: string, signal?: AbortSignal): Promise<WaitResult> {
    return this.add(this.removed, id, signal);
  }

  private wake(map: Map<string, Set<(r: WaitResult) => void>>, id: string, r: WaitResult): void {
    const set = map.get(id);
    map.delete(id);
    for (const fn of set ?? []) fn(r);
  }

  stopped(id: string, r: WaitResult): void {
    this.wake(this.stop, id, r);
  }

  /** Removal wakes both kinds, as dockerd's. */
  removedNow(id: string, r: WaitResult): void {
    this.wake(this.stop, id, r);
    this.wake(this.removed, id, r);
  }
}
