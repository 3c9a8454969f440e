import { EventEmitter } from 'node:events';

/**
 * In-process notice that a container's process ended (or the container was
 * removed): followers such as `logs -f` and stats streams end on it.
 */
export class ContainerExits {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Called by the lifecycle whenever a container stops running or is removed. */
  notify(id: string): void {
    this.emitter.emit(id);
  }

  /** Resolves at the next notice for `id`; `signal` cancels the wait (the promise then never settles). */
  next(id: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.emitter.off(id, done);
        signal?.removeEventListener('abort', cancel);
        resolve();
      };
      const cancel = () => {
        this.emitter.off(id, done);
      };
      if (signal?.aborted) return;
      signal?.addEventListener('abort', cancel, { once: true });
      this.emitter.on(id, done);
    });
  }
}
