/**
 * Lets stop, kill and remove wait for the exit handling of a container they
 * signalled: by then the network, mounts and runtime state are released.
 */
export class ExitSignals {
  private readonly waits = new Map<string, Set<() => void>>();

  /** Resolves after the next exit handling of `id` finished (true), or after `ms` (false); `ms` < 0 waits for ever. */
  next(id: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.waits.get(id);
      if (!set) this.waits.set(id, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set!.delete(done);
        resolve(true);
      };
      const timer = ms < 0 ? undefined : setTimeout(() => {
        set!.delete(done);
        resolve(false);
      }, ms);
      set.add(done);
    });
  }

  /** The exit handling of `id` is done. */
  wake(id: string): void {
    const set = this.waits.get(id);
    this.waits.delete(id);
    for (const fn of set ?? []) fn();
  }
}
