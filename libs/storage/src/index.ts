import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;
export type Statement = Database.Statement;

/**
 * Opens a service's metadata database: WAL so readers never block the writer
 * and a crash never leaves a half-written record; a busy timeout so replicas
 * of a service sharing the file wait for each other instead of failing.
 * `migrations[i]` brings the schema from version i to i + 1.
 */
export function openDatabase(file: string, migrations: string[]): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  const migrate = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v]);
    if (current < migrations.length) db.pragma(`user_version = ${migrations.length}`);
  });
  migrate.immediate();
  return db;
}

/** Writes a file atomically: temporary file, fsync, rename. */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export { KeyedLock } from './keyed-lock';
