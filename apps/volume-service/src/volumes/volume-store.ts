import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentBootId } from '@berth/host';
import { openDatabase, Db, Statement } from '@berth/storage';

export interface VolumeRecord {
  name: string;
  driver: string;
  labels: Record<string, string>;
  /** DriverOpts as given at creation. */
  options: Record<string, string>;
  /** Seconds since the epoch. */
  createdAt: number;
  anonymous: boolean;
}

/** What a removal found. */
export type RemoveOutcome =
  | { outcome: 'removed'; record: VolumeRecord; aside: string | undefined }
  | { outcome: 'missing' }
  | { outcome: 'in-use'; refs: string[] }
  | { outcome: 'mounted' };

const MIGRATIONS = [
  `CREATE TABLE volumes (
     name TEXT PRIMARY KEY,
     driver TEXT NOT NULL,
     labels TEXT NOT NULL,
     options TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     anonymous INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE refs (
     volume TEXT NOT NULL REFERENCES volumes(name) ON DELETE CASCADE,
     container TEXT NOT NULL,
     PRIMARY KEY (volume, container)
   );
   CREATE TABLE mounts (
     volume TEXT NOT NULL REFERENCES volumes(name) ON DELETE CASCADE,
     container TEXT NOT NULL,
     PRIMARY KEY (volume, container)
   );`,
  // Mounts and leases belong to one boot of the host: after a reboot nothing is mounted and nobody holds a lease.
  // Leases serialise mount, unmount and removal of one volume across replicas.
  `ALTER TABLE mounts ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';
   CREATE TABLE locks (
     volume TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     boot_id TEXT NOT NULL
   );`,
];


export interface VolumeStoreOptions {
  /** Defaults to the host's; tests pretend to reboot by changing it. */
  bootId?: string;
}

interface Row { name: string; driver: string; labels: string; options: string; created_at: number; anonymous: number }

function fromRow(r: Row): VolumeRecord {
  return {
    name: r.name,
    driver: r.driver,
    labels: JSON.parse(r.labels) as Record<string, string>,
    options: JSON.parse(r.options) as Record<string, string>,
    createdAt: r.created_at,
    anonymous: r.anonymous === 1,
  };
}

/**
 * Volume records, container references, active mounts and per-volume
 * leases in `<root>/metadata.db`. Mounts and leases from an earlier boot of
 * the host are dropped on open. Each change is one BEGIN IMMEDIATE
 * transaction, so concurrent requests and replicas sharing the file take
 * turns and never see a half-made change.
 */
export class VolumeStore {
  private readonly db: Db;
  private readonly stmt: Record<
    'list' | 'get' | 'count' | 'refCounts' | 'refs' | 'mountCount' | 'insert' | 'delete' | 'addRef' | 'dropRef'
    | 'addMount' | 'dropMount' | 'expireLock' | 'takeLock' | 'dropLock',
    Statement
  >;

  private readonly bootId: string;

  constructor(file: string, options: VolumeStoreOptions = {}) {
    this.bootId = options.bootId ?? currentBootId();
    // Private to the service, like dockerd's metadata.db; SQLite gives the -wal and -shm files the same mode.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
    this.db = openDatabase(file, MIGRATIONS);
    this.immediate(() => {
      // Rows written before boot ids were kept are taken to be from this boot.
      this.db.prepare("UPDATE mounts SET boot_id = ? WHERE boot_id = ''").run(this.bootId);
      this.db.prepare('DELETE FROM mounts WHERE boot_id != ?').run(this.bootId);
      this.db.prepare('DELETE FROM locks WHERE boot_id != ?').run(this.bootId);
    });
    const p = (sql: string) => this.db.prepare(sql);
    this.stmt = {
      list: p('SELECT * FROM volumes ORDER BY name'),
      get: p('SELECT * FROM volumes WHERE name = ?'),
      count: p('SELECT COUNT(*) AS n FROM volumes'),
      refCounts: p('SELECT volume, COUNT(*) AS n FROM refs GROUP BY volume'),
      refs: p('SELECT container FROM refs WHERE volume = ? ORDER BY container'),
      mountCount: p('SELECT COUNT(*) AS n FROM mounts WHERE volume = ?'),
      insert: p('INSERT OR IGNORE INTO volumes (name, driver, labels, options, created_at, anonymous) VALUES (?, ?, ?, ?, ?, ?)'),
      delete: p('DELETE FROM volumes WHERE name = ?'),
      addRef: p('INSERT OR IGNORE INTO refs (volume, container) VALUES (?, ?)'),
      dropRef: p('DELETE FROM refs WHERE volume = ? AND container = ?'),
      addMount: p('INSERT OR IGNORE INTO mounts (volume, container, boot_id) VALUES (?, ?, ?)'),
      dropMount: p('DELETE FROM mounts WHERE volume = ? AND container = ?'),
      expireLock: p('DELETE FROM locks WHERE volume = ? AND expires_at < ?'),
      takeLock: p('INSERT OR IGNORE INTO locks (volume, owner, expires_at, boot_id) VALUES (?, ?, ?, ?)'),
      dropLock: p('DELETE FROM locks WHERE volume = ? AND owner = ?'),
    };
  }

  private immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  get(name: string): VolumeRecord | undefined {
    const row = this.stmt.get.get(name) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): VolumeRecord[] {
    return (this.stmt.list.all() as Row[]).map(fromRow);
  }

  count(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  references(name: string): string[] {
    return (this.stmt.refs.all(name) as { container: string }[]).map((r) => r.container);
  }

  referenceCounts(): Map<string, number> {
    const rows = this.stmt.refCounts.all() as { volume: string; n: number }[];
    return new Map(rows.map((r) => [r.volume, r.n]));
  }

  mountCount(name: string): number {
    return (this.stmt.mountCount.get(name) as { n: number }).n;
  }

  /**
   * Inserts the record unless the name is taken and returns what is stored.
   * `materialise` (making the directories) runs inside the transaction, only
   * for the winner: if it throws, nothing was created.
   */
  create(record: VolumeRecord, materialise: () => void): { record: VolumeRecord; created: boolean } {
    return this.immediate(() => {
      const res = this.stmt.insert.run(
        record.name, record.driver, JSON.stringify(record.labels), JSON.stringify(record.options), record.createdAt, record.anonymous ? 1 : 0,
      );
      if (res.changes === 1) {
        materialise();
        return { record, created: true };
      }
      return { record: this.get(record.name)!, created: false };
    });
  }

  /**
   * Deletes the record when no container references it (nor, with
   * `refuseWhileMounted`, has it mounted). `moveAside` (renaming the
   * directory away) runs inside the transaction: if it throws, the volume stays.
   */
  remove(name: string, moveAside: () => string | undefined, refuseWhileMounted = true): RemoveOutcome {
    return this.immediate((): RemoveOutcome => {
      const record = this.get(name);
      if (!record) return { outcome: 'missing' };
      const refs = this.references(name);
      if (refs.length > 0) return { outcome: 'in-use', refs };
      if (refuseWhileMounted && this.mountCount(name) > 0) return { outcome: 'mounted' };
      this.stmt.delete.run(name);
      return { outcome: 'removed', record, aside: moveAside() };
    });
  }

  /** Records that a container uses the volume; false when there is no such volume. */
  addReference(name: string, container: string): boolean {
    return this.immediate(() => {
      if (!this.stmt.get.get(name)) return false;
      this.stmt.addRef.run(name, container);
      return true;
    });
  }

  removeReference(name: string, container: string): void {
    this.stmt.dropRef.run(name, container);
  }

  /** Records a container's mount; returns how many containers have it mounted, or -1 when there is no such volume. */
  addMount(name: string, container: string): number {
    return this.immediate(() => {
      if (!this.stmt.get.get(name)) return -1;
      this.stmt.addMount.run(name, container, this.bootId);
      return this.mountCount(name);
    });
  }

  /** Drops a container's mount; returns how many remain. */
  removeMount(name: string, container: string): number {
    return this.immediate(() => {
      this.stmt.dropMount.run(name, container);
      return this.mountCount(name);
    });
  }

  /** Takes the volume's lease for `owner` until `ttlMs` from now; false while someone else holds a live one. */
  tryLock(name: string, owner: string, ttlMs: number): boolean {
    return this.immediate(() => {
      const now = Date.now();
      this.stmt.expireLock.run(name, now);
      return this.stmt.takeLock.run(name, owner, now + ttlMs, this.bootId).changes === 1;
    });
  }

  unlock(name: string, owner: string): void {
    this.stmt.dropLock.run(name, owner);
  }

  close(): void {
    this.db.close();
  }

  /** Nest's shutdown hook: the service closes its database last. */
  onApplicationShutdown(): void {
    this.close();
  }
}
