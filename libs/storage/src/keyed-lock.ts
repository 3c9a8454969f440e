/**
 * Runs tasks for one key one after another, in the order they were asked
 * for; tasks for different keys run freely. A failed task does not stop the
 * ones queued behind it. Within one process only: work shared with other
 * replicas also needs a lease or a transaction.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
