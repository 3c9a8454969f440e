import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDatabase, Db, Statement } from '@berth/storage';
import type { ContainerRecord } from './container-record';

const MIGRATIONS = [
  // seq orders containers by creation for before/since, across replicas.
  `CREATE TABLE containers (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL UNIQUE,
     image_id TEXT NOT NULL,
     record TEXT NOT NULL
   );
   CREATE INDEX containers_image ON containers(image_id);`,
];

export interface StoredContainer {
  seq: number;
  record: ContainerRecord;
  /** The record as stored (JSON): what gRPC hands on without serialising again. */
  json: string;
}

interface Row { seq: number; id: string; name: string; record: string }

/** Which way an insert or rename went. */
/** Told of every record update after it is committed (e.g. to keep image leases' activity in step). */
export interface ContainerStoreObserver {
  updated?(before: ContainerRecord, after: ContainerRecord): void;
}

export type NameOutcome = { ok: true } | { ok: false; holder: string };

function isUniqueViolation(err: unknown, column: string): boolean {
  return err instanceof Error && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && err.message.includes(`containers.${column}`);
}

/**
 * Container records in `<root>/metadata.db`. Names are unique by the
 * database's own constraint, so concurrent creates and replicas sharing the
 * file cannot both take one.
 */
export class ContainerStore {
  private readonly observers: ContainerStoreObserver[] = [];
  private readonly db: Db;
  /**
   * Parsed records by id, reused while the stored JSON is the same text: `ps`
   * reads every record on every call, and parsing dominated it. Callers get a
   * shallow copy; update() hands its callback a deep one.
   */
  private readonly parsed = new Map<string, { json: string; record: ContainerRecord }>();
  private readonly fromRow = (r: Row): StoredContainer => {
    let hit = this.parsed.get(r.id);
    if (!hit || hit.json !== r.record) {
      hit = { json: r.record, record: JSON.parse(r.record) as ContainerRecord };
      this.parsed.set(r.id, hit);
    }
    const record = { ...hit.record, Name: r.name };
    return { seq: r.seq, record, json: record.Name === hit.record.Name ? r.record : JSON.stringify(record) };
  };
  private readonly stmt: Record<'all' | 'byId' | 'byName' | 'byPrefix' | 'insert' | 'delete' | 'rename' | 'count' | 'update', Statement>;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
    this.db = openDatabase(file, MIGRATIONS);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmt = {
      all: p('SELECT seq, id, name, record FROM containers ORDER BY seq DESC'),
      byId: p('SELECT seq, id, name, record FROM containers WHERE id = ?'),
      byName: p('SELECT seq, id, name, record FROM containers WHERE name = ?'),
      byPrefix: p("SELECT seq, id, name, record FROM containers WHERE substr(id, 1, length(?)) = ? LIMIT 2"),
      insert: p('INSERT INTO containers (id, name, image_id, record) VALUES (?, ?, ?, ?)'),
      delete: p('DELETE FROM containers WHERE id = ?'),
      rename: p('UPDATE containers SET name = ? WHERE id = ?'),
      count: p('SELECT COUNT(*) AS n FROM containers'),
      update: p('UPDATE containers SET record = ? WHERE id = ?'),
    };
  }

  list(): StoredContainer[] {
    return (this.stmt.all.all() as Row[]).map(this.fromRow);
  }

  get(id: string): StoredContainer | undefined {
    const row = this.stmt.byId.get(id) as Row | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  byName(name: string): StoredContainer | undefined {
    const row = this.stmt.byName.get(name) as Row | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  /** Up to two containers whose id starts with prefix: two means ambiguous. */
  byPrefix(prefix: string): StoredContainer[] {
    return (this.stmt.byPrefix.all(prefix, prefix) as Row[]).map(this.fromRow);
  }

  count(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  /** Inserts the record unless its name is taken; then says who holds the name. */
  insert(record: ContainerRecord): NameOutcome {
    return this.db.transaction((): NameOutcome => {
      try {
        this.stmt.insert.run(record.Id, record.Name, record.Image, JSON.stringify(record));
        return { ok: true };
      } catch (err) {
        if (!isUniqueViolation(err, 'name')) throw err;
        return { ok: false, holder: this.byName(record.Name)?.record.Id ?? '' };
      }
    }).immediate();
  }

  rename(id: string, name: string): NameOutcome {
    return this.db.transaction((): NameOutcome => {
      try {
        this.stmt.rename.run(name, id);
        return { ok: true };
      } catch (err) {
        if (!isUniqueViolation(err, 'name')) throw err;
        return { ok: false, holder: this.byName(name)?.record.Id ?? '' };
      }
    }).immediate();
  }

  /**
   * Changes a record in one transaction: `fn` gets the current record and
   * returns the new one (or undefined to leave it). Undefined when the
   * container is gone. The name column is not touched (rename owns it).
   */
  update(id: string, fn: (record: ContainerRecord) => ContainerRecord | undefined): ContainerRecord | undefined {
    let before: ContainerRecord | undefined;
    const after = this.db.transaction((): ContainerRecord | undefined => {
      const current = this.get(id);
      if (!current) return undefined;
      // A deep copy: records read from the cache share their nested objects.
      const next = fn(structuredClone(current.record));
      if (!next) return current.record;
      this.stmt.update.run(JSON.stringify(next), id);
      before = current.record;
      return next;
    }).immediate();
    if (before && after) for (const o of this.observers) o.updated?.(before, after);
    return after;
  }

  /** True when a record was deleted. */
  delete(id: string): boolean {
    this.parsed.delete(id);
    return this.stmt.delete.run(id).changes === 1;
  }

  observe(observer: ContainerStoreObserver): void {
    this.observers.push(observer);
  }

  close(): void {
    this.db.close();
  }

  /** Nest's shutdown hook: the service closes its database last. */
  onApplicationShutdown(): void {
    this.close();
  }
}
