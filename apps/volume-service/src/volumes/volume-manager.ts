import { Filters } from '@berth/engine-api';
import type { EventInput } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { LocalDriver } from './local-driver';
import { generateVolumeName, validateVolumeName } from './names';
import { needsMount, validateDriverOptions } from './options';
import { ANONYMOUS_LABEL, LIST_FILTERS, PRUNE_FILTERS, volumePredicate } from './volume-filters';
import { VolumeRecord, VolumeStore } from './volume-store';

/** Where volume events go (Redis in the service, a list in tests). */
export interface EventSink {
  publish(event: EventInput): Promise<unknown>;
}

export interface VolumeInfo extends VolumeRecord {
  mountpoint: string;
  refCount: number;
  /** -1 unless sizes were asked for. */
  size: number;
}

export interface CreateVolumeInput {
  name: string;
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  anonymous: boolean;
}

const DRIVER = 'local';

/** Serialises async work per key inside one process (mount/unmount of one volume). */
class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** The volume service's behaviour, as dockerd's volume service and local driver. */
export class VolumeManager {
  private readonly locks = new KeyedLock();

  constructor(
    private readonly store: VolumeStore,
    private readonly driver: LocalDriver,
    private readonly events: EventSink,
    private readonly logger: Logger,
  ) {}

  private emit(event: EventInput): void {
    this.events.publish(event).catch((err: unknown) => {
      this.logger.warn('event not published', { action: event.Action, volume: event.Actor.ID, error: err instanceof Error ? err.message : String(err) });
    });
  }

  private info(record: VolumeRecord, refCount?: number, size = -1): VolumeInfo {
    // Spelled out rather than spread: list builds one per volume on the hot path.
    return {
      name: record.name, driver: record.driver, labels: record.labels, options: record.options,
      createdAt: record.createdAt, anonymous: record.anonymous,
      mountpoint: this.driver.mountpoint(record.name),
      refCount: refCount ?? this.store.references(record.name).length,
      size,
    };
  }

  private checkDriver(name: string, driver: string): void {
    if (driver !== '' && driver !== DRIVER) {
      throw RpcError.notFound(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    }
  }

  private mustGet(name: string): VolumeRecord {
    const record = this.store.get(name);
    if (!record) throw RpcError.notFound(`get ${name}: no such volume`);
    return record;
  }

  create(input: CreateVolumeInput): VolumeInfo {
    let { name } = input;
    const labels = { ...input.labels };
    let anonymous = input.anonymous;
    if (name === '') {
      // dockerd marks every volume created without a name as anonymous.
      name = generateVolumeName();
      anonymous = true;
    }
    if (anonymous) labels[ANONYMOUS_LABEL] = '';
    validateVolumeName(name);
    this.checkDriver(name, input.driver);
    validateDriverOptions(name, input.driverOpts);

    const existing = this.store.get(name);
    if (existing) return this.info(existing);
    this.driver.create(name);
    const { record, created } = this.store.insert({
      name, driver: DRIVER, labels, options: { ...input.driverOpts }, createdAt: Math.floor(Date.now() / 1000), anonymous,
    });
    if (created) this.emit({ Type: 'volume', Action: 'create', Actor: { ID: name, Attributes: { driver: DRIVER } } });
    return this.info(record, 0);
  }

  inspect(name: string): VolumeInfo {
    return this.info(this.mustGet(name));
  }

  async list(filtersList: { key: string; values: string[] }[], withSize: boolean): Promise<VolumeInfo[]> {
    const matches = volumePredicate(Filters.fromList(filtersList), LIST_FILTERS);
    const refs = this.store.referenceCounts();
    const out: VolumeInfo[] = [];
    for (const record of this.store.list()) {
      const refCount = refs.get(record.name) ?? 0;
      if (!matches(record, refCount)) continue;
      out.push(this.info(record, refCount, withSize ? await this.driver.size(record.name) : -1));
    }
    return out;
  }

  async remove(name: string, force: boolean): Promise<void> {
    const record = this.store.get(name);
    if (!record) {
      if (force) return;
      throw RpcError.notFound(`get ${name}: no such volume`);
    }
    await this.locks.run(name, async () => {
      const { deleted, refs } = this.store.deleteIfUnreferenced(name);
      if (refs.length > 0) throw RpcError.conflict(`remove ${name}: volume is in use - [${refs.join(', ')}]`);
      if (!deleted) return; // another request removed it meanwhile
      await this.driver.remove(name);
      this.emit({ Type: 'volume', Action: 'destroy', Actor: { ID: name, Attributes: { driver: record.driver } } });
    });
  }

  async prune(filtersList: { key: string; values: string[] }[], onlyAnonymous: boolean): Promise<{ deleted: string[]; reclaimed: number }> {
    const matches = volumePredicate(Filters.fromList(filtersList), PRUNE_FILTERS);
    const refs = this.store.referenceCounts();
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const record of this.store.list()) {
      if ((refs.get(record.name) ?? 0) > 0) continue;
      // dockerd never prunes volumes with mount options: their data lives elsewhere.
      if (Object.keys(record.options).length > 0) continue;
      if (onlyAnonymous && !(ANONYMOUS_LABEL in record.labels)) continue;
      if (!matches(record, 0)) continue;
      const size = Math.max(0, await this.driver.size(record.name));
      try {
        await this.remove(record.name, false);
      } catch (err) {
        this.logger.warn('could not prune volume', { volume: record.name, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      deleted.push(record.name);
      reclaimed += size;
    }
    this.emit({ Type: 'volume', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(reclaimed) } } });
    return { deleted, reclaimed };
  }

  acquire(name: string, containerId: string): VolumeInfo {
    if (!this.store.addReference(name, containerId)) throw RpcError.notFound(`get ${name}: no such volume`);
    return this.inspect(name);
  }

  release(name: string, containerId: string): void {
    this.store.removeReference(name, containerId);
  }

  async mount(name: string, containerId: string, destination: string, readWrite: boolean, propagation: string): Promise<string> {
    const record = this.mustGet(name);
    await this.locks.run(name, async () => {
      this.store.addMount(name, containerId);
      if (needsMount(record.options)) {
        try {
          await this.driver.mount(name, record.options);
        } catch (err) {
          this.store.removeMount(name, containerId);
          throw RpcError.internal(`error while mounting volume '${this.driver.mountpoint(name)}': ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    });
    this.emit({
      Type: 'volume', Action: 'mount',
      Actor: { ID: name, Attributes: { container: containerId, destination, driver: record.driver, propagation, 'read/write': String(readWrite) } },
    });
    return this.driver.mountpoint(name);
  }

  async unmount(name: string, containerId: string): Promise<void> {
    const record = this.store.get(name);
    if (!record) return;
    await this.locks.run(name, async () => {
      const remaining = this.store.removeMount(name, containerId);
      if (remaining === -1) return;
      if (remaining === 0 && needsMount(record.options)) await this.driver.unmount(name);
      this.emit({ Type: 'volume', Action: 'unmount', Actor: { ID: name, Attributes: { container: containerId, driver: record.driver } } });
    });
  }

  count(): number {
    return this.store.count();
  }
}
