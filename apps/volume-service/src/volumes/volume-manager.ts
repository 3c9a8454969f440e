import * as fs from 'node:fs';
import { status } from '@grpc/grpc-js';
import type { EventInput } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import type { EventSink } from '@berth/events';
import { LocalDriver } from './local-driver';
import { mountSpec } from './mount-options';
import { generateVolumeName, validateVolumeName } from './names';
import { needsMount, validateDriverOptions } from './options';
import { ANONYMOUS_LABEL, FilterList, listPredicate, prunePredicate } from './volume-filters';
import { VolumeLocks, VolumeLockOptions } from './volume-locks';
import { VolumeRecord, VolumeStore } from './volume-store';

/** A volume as the service reports it. */
export interface VolumeInfo {
  name: string;
  driver: string;
  mountpoint: string;
  /** RFC 3339, seconds, UTC. */
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  scope: 'local';
  refCount: number;
  /** Bytes under the mountpoint; -1 unless asked for (and always for volumes with mount options). */
  size: number;
  anonymous: boolean;
}

export interface CreateVolumeInput {
  name: string;
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  anonymous: boolean;
}

export interface PruneResult {
  deleted: string[];
  reclaimed: number;
}

const DRIVER = 'local';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** dockerd's OpErr: `<op> <name>: <cause>`, keeping the cause's status. */
function opError(op: string, name: string, err: unknown): RpcError {
  return new RpcError(err instanceof RpcError ? err.code : status.INTERNAL, `${op} ${name}: ${message(err)}`);
}

function noSuchVolume(name: string): RpcError {
  return RpcError.notFound(`get ${name}: no such volume`);
}

function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The volume service's behaviour, after dockerd's volume service and local
 * driver: records in the store, directories and mounts by the driver,
 * events to the sink. Safe to run as several replicas on one data-root.
 */
export class VolumeManager {
  private readonly locks: VolumeLocks;
  private pruning = false;

  constructor(
    private readonly store: VolumeStore,
    private readonly driver: LocalDriver,
    private readonly events: EventSink,
    private readonly logger: Logger,
    lockOptions: VolumeLockOptions = {},
  ) {
    this.locks = new VolumeLocks(store, lockOptions);
  }

  /** Finishes removals a crash interrupted. */
  /** Nest's start-up hook: in the background, since a crash mid-removal may have left a lot to delete. */
  onApplicationBootstrap(): void {
    this.start().catch((err: unknown) => this.logger.warn('could not finish interrupted removals', { error: err instanceof Error ? err.message : String(err) }));
  }

  async start(): Promise<void> {
    for (const aside of this.driver.leftovers()) {
      await this.driver.purge(aside).catch((err: unknown) => this.logger.warn('could not delete a removed volume directory', { path: aside, error: message(err) }));
    }
  }

  /** Publishing is best effort: a request never fails because Redis did. */
  private emit(event: EventInput): void {
    this.events.publish(event).catch((err: unknown) => {
      this.logger.warn('event not published', { action: event.Action, volume: event.Actor.ID, error: message(err) });
    });
  }

  private info(record: VolumeRecord, refCount?: number, size = -1): VolumeInfo {
    // Spelled out rather than spread: list builds one per volume.
    return {
      name: record.name,
      driver: record.driver,
      mountpoint: this.driver.mountpoint(record.name),
      createdAt: rfc3339(record.createdAt),
      labels: record.labels,
      options: record.options,
      scope: 'local',
      refCount: refCount ?? this.store.references(record.name).length,
      size,
      anonymous: record.anonymous,
    };
  }

  private mustGet(name: string): VolumeRecord {
    const record = this.store.get(name);
    if (!record) throw noSuchVolume(name);
    return record;
  }

  /**
   * Creates a volume, or returns the existing one of that name unchanged
   * (whatever labels and options were asked for this time), as dockerd does.
   * Checks run in dockerd's order: driver, existing name, name, options.
   */
  create(input: CreateVolumeInput): VolumeInfo {
    let { name, anonymous } = input;
    const labels = { ...input.labels };
    if (name === '') {
      name = generateVolumeName();
      anonymous = true;
    }
    if (anonymous) labels[ANONYMOUS_LABEL] = '';
    if (input.driver !== '' && input.driver !== DRIVER) {
      throw RpcError.notFound(`create ${name}: error looking up volume plugin ${input.driver}: plugin "${input.driver}" not found`);
    }
    const existing = this.store.get(name);
    if (existing) return this.info(existing);
    try {
      validateVolumeName(name);
      validateDriverOptions(input.driverOpts);
    } catch (err) {
      throw opError('create', name, err);
    }
    const makeDirectories = () => {
      try {
        this.driver.createDirectories(name);
      } catch (err) {
        throw RpcError.internal(`error while creating volume path '${this.driver.volumeDir(name)}': ${message(err)}`);
      }
    };
    let result: { record: VolumeRecord; created: boolean };
    try {
      const createdAt = Math.floor(Date.now() / 1000);
      result = this.store.create({ name, driver: DRIVER, labels, options: { ...input.driverOpts }, createdAt, anonymous }, makeDirectories);
    } catch (err) {
      throw opError('create', name, err);
    }
    if (result.created) this.emit({ Type: 'volume', Action: 'create', Actor: { ID: name, Attributes: { driver: DRIVER } } });
    return this.info(result.record, result.created ? 0 : undefined);
  }

  inspect(name: string): VolumeInfo {
    return this.info(this.mustGet(name));
  }

  async list(filters: FilterList, withSize: boolean): Promise<VolumeInfo[]> {
    const matches = listPredicate(filters);
    const refs = this.store.referenceCounts();
    const out: VolumeInfo[] = [];
    for (const record of this.store.list()) {
      const refCount = refs.get(record.name) ?? 0;
      if (!matches(record, refCount)) continue;
      // Volumes with mount options are not really local: never walk an nfs share to size it.
      const size = withSize && Object.keys(record.options).length === 0 ? await this.driver.size(record.name) : -1;
      out.push(this.info(record, refCount, size));
    }
    return out;
  }

  /**
   * Removes a volume no container references. `force` only makes a missing
   * volume a success; an in-use volume is refused either way, as dockerd does.
   */
  async remove(name: string, force: boolean): Promise<void> {
    const record = this.store.get(name);
    if (!record) {
      if (force) return;
      throw noSuchVolume(name);
    }
    await this.removeVolume(record);
  }

  /** Returns false when someone else removed the volume first. */
  private async removeVolume(record: VolumeRecord): Promise<boolean> {
    const { name } = record;
    const refs = this.store.references(name);
    if (refs.length > 0) throw RpcError.conflict(`remove ${name}: volume is in use - [${refs.join(', ')}]`);
    let aside: string | undefined;
    const removed = await this.locks.run(name, async () => {
      // A mount left from before a restart, with no container using it any more.
      if (needsMount(record.options) && this.store.mountCount(name) === 0) {
        try {
          await this.driver.unmount(name);
        } catch (err) {
          throw opError('remove', name, err);
        }
      }
      let moved: string | undefined;
      try {
        // As dockerd, only a volume that is a mount of its own counts its users; the rest rely on references.
        const res = this.store.remove(name, () => (moved = this.driver.moveAside(name)), needsMount(record.options));
        switch (res.outcome) {
          case 'missing': return false;
          case 'in-use': throw RpcError.conflict(`remove ${name}: volume is in use - [${res.refs.join(', ')}]`);
          case 'mounted': throw RpcError.internal(`remove ${name}: volume has active mounts`);
          case 'removed': aside = res.aside; return true;
        }
      } catch (err) {
        if (err instanceof RpcError) throw err;
        // The transaction failed after the rename: put the directory back.
        if (moved) fs.renameSync(moved, this.driver.volumeDir(name));
        throw opError('remove', name, err);
      }
    });
    if (!removed) return false;
    if (aside) {
      await this.driver.purge(aside).catch((err: unknown) => this.logger.warn('could not delete a removed volume directory', { volume: name, path: aside, error: message(err) }));
    }
    this.emit({ Type: 'volume', Action: 'destroy', Actor: { ID: name, Attributes: { driver: record.driver } } });
    return true;
  }

  /** Removes the unused volumes the filters select; one prune at a time per process, as dockerd. */
  async prune(filters: FilterList, onlyAnonymous: boolean): Promise<PruneResult> {
    if (this.pruning) throw RpcError.conflict('a prune operation is already running');
    this.pruning = true;
    try {
      const matches = prunePredicate(filters, onlyAnonymous);
      const refs = this.store.referenceCounts();
      const result: PruneResult = { deleted: [], reclaimed: 0 };
      for (const record of this.store.list()) {
        if (!matches(record, refs.get(record.name) ?? 0)) continue;
        const size = Math.max(0, await this.driver.size(record.name));
        try {
          if (!(await this.removeVolume(record))) continue;
        } catch (err) {
          this.logger.warn('could not remove volume', { volume: record.name, error: message(err) });
          continue;
        }
        result.deleted.push(record.name);
        result.reclaimed += size;
      }
      this.emit({ Type: 'volume', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(result.reclaimed) } } });
      return result;
    } finally {
      this.pruning = false;
    }
  }

  /** A container created with the volume: it cannot be removed until released. */
  acquire(name: string, containerId: string): VolumeInfo {
    if (!this.store.addReference(name, containerId)) throw noSuchVolume(name);
    return this.inspect(name);
  }

  /** Idempotent; releasing a reference that is not there (or of a missing volume) is fine. */
  release(name: string, containerId: string): void {
    this.store.removeReference(name, containerId);
  }

  /**
   * A container starting with the volume. For volumes with mount options
   * the first mount mounts `_data`; later ones only count.
   */
  async mount(name: string, containerId: string, destination: string, readWrite: boolean, propagation: string): Promise<string> {
    const record = this.mustGet(name);
    const mountpoint = this.driver.mountpoint(name);
    const track = async () => {
      if (this.store.addMount(name, containerId) < 0) throw noSuchVolume(name);
      try {
        if (needsMount(record.options)) await this.driver.mount(name, mountSpec(record.options));
        else this.driver.createDirectories(name);
      } catch (err) {
        this.store.removeMount(name, containerId);
        throw RpcError.internal(`error while mounting volume '${mountpoint}': ${message(err)}`);
      }
    };
    if (needsMount(record.options)) await this.locks.run(name, track);
    else await track();
    this.emit({
      Type: 'volume',
      Action: 'mount',
      Actor: { ID: name, Attributes: { container: containerId, destination, driver: record.driver, propagation, 'read/write': String(readWrite) } },
    });
    return mountpoint;
  }

  /** A container stopping; the last unmount of a volume with mount options unmounts `_data`. Idempotent. */
  async unmount(name: string, containerId: string): Promise<void> {
    const record = this.store.get(name);
    if (!record) return;
    if (needsMount(record.options)) {
      await this.locks.run(name, async () => {
        if (this.store.removeMount(name, containerId) > 0) return;
        try {
          await this.driver.unmount(name);
        } catch (err) {
          throw RpcError.internal(`error while unmounting volume ${name}: ${message(err)}`);
        }
      });
    } else {
      this.store.removeMount(name, containerId);
    }
    this.emit({ Type: 'volume', Action: 'unmount', Actor: { ID: name, Attributes: { container: containerId, driver: record.driver } } });
  }

}
