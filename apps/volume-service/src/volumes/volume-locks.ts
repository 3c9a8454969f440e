import * as crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from '@berth/storage';
import type { VolumeStore } from './volume-store';

export interface VolumeLockOptions {
  /** How long a lease lasts if its holder dies; longer than any mount may take. */
  ttlMs?: number;
  /** How often a waiter asks again while another replica holds the lease. */
  pollMs?: number;
}

/**
 * Serialises the work on one volume that is more than a transaction — a
 * mount(8) between two database updates — within this process (a promise
 * chain per name) and across replicas sharing the data-root (a lease row in
 * the store, expiring if its holder dies).
 */
export class VolumeLocks {
  private readonly local = new KeyedLock();
  private readonly ttlMs: number;
  private readonly pollMs: number;

  constructor(private readonly store: VolumeStore, options: VolumeLockOptions = {}) {
    this.ttlMs = options.ttlMs ?? 120_000;
    this.pollMs = options.pollMs ?? 20;
  }

  run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.local.run(name, () => this.withLease(name, fn));
  }

  private async withLease<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const owner = crypto.randomUUID();
    while (!this.store.tryLock(name, owner, this.ttlMs)) await sleep(this.pollMs);
    try {
      return await fn();
    } finally {
      this.store.unlock(name, owner);
    }
  }
}
