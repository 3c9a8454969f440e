import { openDatabase, Db, Statement } from '@berth/storage';

export interface VolumeRecord {
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Seconds since the epoch. */
  createdAt: number;
  anonymous: boolean;
}

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
];

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
 * Volume records, container references and active mounts in SQLite. Every
 * change is one transaction, so concurrent requests and replicas sharing the
 * file never see or make a half-written volume.
 */
export class VolumeStore {
  private readonly db: Db;

  // The hot read paths keep their statements prepared.
  private readonly listStatement: Statement;
  private readonly getStatement: Statement;
  private readonly refCountStatement: Statement;

  constructor(file: string) {
    this.db = openDatabase(file, MIGRATIONS);
    this.listStatement = this.db.prepare('SELECT * FROM volumes ORDER BY name');
    this.getStatement = this.db.prepare('SELECT * FROM volumes WHERE name = ?');
    this.refCountStatement = this.db.prepare('SELECT volume, COUNT(*) AS n FROM refs GROUP BY volume');
  }

  /** Inserts unless the name exists; returns the stored record and whether it is new. */
  insert(record: VolumeRecord): { record: VolumeRecord; created: boolean } {
    const tx = this.db.transaction(() => {
      const res = this.db.prepare(
        'INSERT OR IGNORE INTO volumes (name, driver, labels, options, created_at, anonymous) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(record.name, record.driver, JSON.stringify(record.labels), JSON.stringify(record.options), record.createdAt, record.anonymous ? 1 : 0);
      return { record: this.get(record.name)!, created: res.changes === 1 };
    });
    return tx.immediate();
  }

  get(name: string): VolumeRecord | undefined {
    const row = this.getStatement.get(name) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): VolumeRecord[] {
    return (this.listStatement.all() as Row[]).map(fromRow);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM volumes').get() as { n: number }).n;
  }

  references(name: string): string[] {
    return (this.db.prepare('SELECT container FROM refs WHERE volume = ? ORDER BY container').all(name) as { container: string }[]).map((r) => r.container);
  }

  referenceCounts(): Map<string, number> {
    const rows = this.refCountStatement.all() as { volume: string; n: number }[];
    return new Map(rows.map((r) => [r.volume, r.n]));
  }

  /** Deletes the record when nothing references it; returns the references that blocked it. */
  deleteIfUnreferenced(name: string): { deleted: boolean; refs: string[] } {
    const tx = this.db.transaction(() => {
      const refs = this.references(name);
      if (refs.length > 0) return { deleted: false, refs };
      const res = this.db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
      return { deleted: res.changes === 1, refs };
    });
    return tx.immediate();
  }

  addReference(name: string, container: string): boolean {
    const tx = this.db.transaction(() => {
      if (!this.get(name)) return false;
      this.db.prepare('INSERT OR IGNORE INTO refs (volume, container) VALUES (?, ?)').run(name, container);
      return true;
    });
    return tx.immediate();
  }

  removeReference(name: string, container: string): void {
    this.db.prepare('DELETE FROM refs WHERE volume = ? AND container = ?').run(name, container);
  }

  /** Records a running container's mount; returns how many containers now have it mounted. */
  addMount(name: string, container: string): number {
    const tx = this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO mounts (volume, container) VALUES (?, ?)').run(name, container);
      return this.mountCount(name);
    });
    return tx.immediate();
  }

  /** Drops a mount; returns how many remain, or -1 when the container had none. */
  removeMount(name: string, container: string): number {
    const tx = this.db.transaction(() => {
      const res = this.db.prepare('DELETE FROM mounts WHERE volume = ? AND container = ?').run(name, container);
      return res.changes === 0 ? -1 : this.mountCount(name);
    });
    return tx.immediate();
  }

  mountCount(name: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM mounts WHERE volume = ?').get(name) as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
