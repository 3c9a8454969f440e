import type { Db, Statement } from '@berth/storage';

/** A holder's claim on layers: they stay on disk while any lease lists them. */
export interface LeaseRecord {
  /** "<kind>/<holder>", e.g. "container/<container id>" or "pull/<host>/<pid>/<random>". */
  id: string;
  /** The image the lease was taken on; empty for a job's lease. */
  imageId: string;
  /** A running container: rmi refuses its image even when forced. */
  active: boolean;
  created: string;
}

export const LEASE_MIGRATION = `
  CREATE TABLE leases (
    id TEXT PRIMARY KEY,
    image_id TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL
  );
  CREATE INDEX leases_image ON leases(image_id);
  CREATE TABLE lease_layers (
    lease_id TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
    chain_id TEXT NOT NULL,
    PRIMARY KEY (lease_id, chain_id)
  );
  CREATE INDEX lease_layers_chain ON lease_layers(chain_id);`;

interface LeaseRow { id: string; image_id: string; active: number; created: string }

function fromRow(r: LeaseRow): LeaseRecord {
  return { id: r.id, imageId: r.image_id, active: r.active === 1, created: r.created };
}

/**
 * The leases of the image store's database (containerd's Leases API is the
 * model). Callers run these inside the ImageDb transactions that also read
 * or delete images, so a lease and a deletion never interleave.
 */
export class LeaseTable {
  // Prepared once: acquire and release are on every container's create and remove.
  private readonly stmt: Record<'get' | 'list' | 'holders' | 'upsert' | 'clearLayers' | 'addLayer' | 'setActive' | 'layersOf' | 'delete' | 'holds', Statement>;

  constructor(db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.stmt = {
      get: p('SELECT * FROM leases WHERE id = ?'),
      list: p("SELECT * FROM leases WHERE id >= ? AND id < ? || '\uffff' ORDER BY id"),
      holders: p("SELECT * FROM leases WHERE image_id = ? AND id >= ? AND id < ? || '\uffff' ORDER BY created, id"),
      upsert: p(`INSERT INTO leases (id, image_id, active, created) VALUES (?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET image_id = excluded.image_id, active = excluded.active`),
      clearLayers: p('DELETE FROM lease_layers WHERE lease_id = ?'),
      addLayer: p('INSERT OR IGNORE INTO lease_layers (lease_id, chain_id) VALUES (?, ?)'),
      setActive: p('UPDATE leases SET active = ? WHERE id = ?'),
      layersOf: p('SELECT chain_id FROM lease_layers WHERE lease_id = ?'),
      delete: p('DELETE FROM leases WHERE id = ?'),
      holds: p('SELECT 1 FROM lease_layers WHERE chain_id = ? LIMIT 1'),
    };
  }

  get(id: string): LeaseRecord | undefined {
    const row = this.stmt.get.get(id) as LeaseRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Every lease whose id starts with `prefix` ("" for all). */
  list(prefix = ''): LeaseRecord[] {
    return (this.stmt.list.all(prefix, prefix) as LeaseRow[]).map(fromRow);
  }

  /** Creates the lease, or points an existing one at `imageId` and these layers only. */
  put(id: string, imageId: string, active: boolean, chainIds: string[]): void {
    this.stmt.upsert.run(id, imageId, active ? 1 : 0, new Date().toISOString());
    this.stmt.clearLayers.run(id);
    for (const c of chainIds) this.stmt.addLayer.run(id, c);
  }

  /** Adds one layer to an existing lease (a job leasing what it has made so far). */
  addLayer(id: string, chainId: string): void {
    this.stmt.addLayer.run(id, chainId);
  }

  setActive(id: string, active: boolean): boolean {
    return this.stmt.setActive.run(active ? 1 : 0, id).changes === 1;
  }

  /** Deletes the lease; returns the layers it held. */
  delete(id: string): string[] {
    const chains = (this.stmt.layersOf.all(id) as { chain_id: string }[]).map((r) => r.chain_id);
    this.stmt.delete.run(id);
    return chains;
  }

  /** Leases taken on an image whose id starts with `prefix`. */
  holdersOf(imageId: string, prefix: string): LeaseRecord[] {
    return (this.stmt.holders.all(imageId, prefix, prefix) as LeaseRow[]).map(fromRow);
  }

  holdsLayer(chainId: string): boolean {
    return Boolean(this.stmt.holds.get(chainId));
  }
}
