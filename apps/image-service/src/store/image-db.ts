import { openDatabase, Db, Statement } from '@berth/storage';
import { LEASE_MIGRATION, LeaseTable } from './lease-table';

export interface LayerRecord {
  chainId: string;
  diffId: string;
  parent: string;
  size: number;
  /** The blob kept for save and push: as pulled (gzip) or as loaded (plain tar). */
  blobDigest: string;
  blobMediaType: string;
  blobSize: number;
}

export interface ImageRecord {
  id: string;
  config: string;
  size: number;
  created: number;
  parent: string;
  lastTagTime: string;
  chainIds: string[];
}

const MIGRATIONS = [
  `CREATE TABLE layers (
     chain_id TEXT PRIMARY KEY,
     diff_id TEXT NOT NULL,
     parent TEXT NOT NULL,
     size INTEGER NOT NULL,
     blob_digest TEXT NOT NULL,
     blob_media_type TEXT NOT NULL,
     blob_size INTEGER NOT NULL
   );
   CREATE TABLE images (
     id TEXT PRIMARY KEY,
     config TEXT NOT NULL,
     size INTEGER NOT NULL,
     created INTEGER NOT NULL,
     parent TEXT NOT NULL DEFAULT '',
     last_tag_time TEXT NOT NULL DEFAULT ''
   );
   CREATE TABLE image_layers (
     image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     chain_id TEXT NOT NULL REFERENCES layers(chain_id),
     PRIMARY KEY (image_id, position)
   );
   CREATE INDEX image_layers_chain ON image_layers(chain_id);
   -- canonical references: docker.io/library/busybox:latest, or name@sha256:... for digests
   CREATE TABLE refs (
     ref TEXT PRIMARY KEY,
     image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
     is_digest INTEGER NOT NULL DEFAULT 0,
     created_seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX refs_image ON refs(image_id);`,
  LEASE_MIGRATION,
];

interface ImageRow { id: string; config: string; size: number; created: number; parent: string; last_tag_time: string }
interface LayerRow { chain_id: string; diff_id: string; parent: string; size: number; blob_digest: string; blob_media_type: string; blob_size: number }

function layerFromRow(r: LayerRow): LayerRecord {
  return { chainId: r.chain_id, diffId: r.diff_id, parent: r.parent, size: r.size, blobDigest: r.blob_digest, blobMediaType: r.blob_media_type, blobSize: r.blob_size };
}

/** Image, layer and reference metadata in SQLite; every change is one transaction. */
export class ImageDb {
  readonly db: Db;
  readonly leases: LeaseTable;
  // Built once: every container's removal runs it.
  private readonly collect: { immediate(chainIds: string[]): LayerRecord[] };
  private readonly stmts: Record<string, Statement>;

  constructor(file: string) {
    this.db = openDatabase(file, MIGRATIONS);
    this.leases = new LeaseTable(this.db);
    this.collect = this.db.transaction((chainIds: string[]) => this.collectTx(chainIds));
    this.stmts = {
      image: this.db.prepare('SELECT * FROM images WHERE id = ?'),
      images: this.db.prepare('SELECT * FROM images'),
      imageLayers: this.db.prepare('SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY position'),
      allImageLayers: this.db.prepare('SELECT image_id, chain_id FROM image_layers ORDER BY image_id, position'),
      layer: this.db.prepare('SELECT * FROM layers WHERE chain_id = ?'),
      refsOf: this.db.prepare('SELECT ref, is_digest FROM refs WHERE image_id = ? ORDER BY created_seq, ref'),
      allRefs: this.db.prepare('SELECT ref, image_id, is_digest FROM refs ORDER BY created_seq, ref'),
      ref: this.db.prepare('SELECT image_id FROM refs WHERE ref = ?'),
      idsByPrefix: this.db.prepare("SELECT id FROM images WHERE id >= ? AND id < ? || '~' LIMIT 2"),
      layerUsed: this.db.prepare('SELECT 1 FROM image_layers WHERE chain_id = ? LIMIT 1'),
      deleteLayer: this.db.prepare('DELETE FROM layers WHERE chain_id = ?'),
    };
  }

  private imageFromRow(r: ImageRow): ImageRecord {
    const chainIds = (this.stmts.imageLayers.all(r.id) as { chain_id: string }[]).map((x) => x.chain_id);
    return { id: r.id, config: r.config, size: r.size, created: r.created, parent: r.parent, lastTagTime: r.last_tag_time, chainIds };
  }

  image(id: string): ImageRecord | undefined {
    const row = this.stmts.image.get(id) as ImageRow | undefined;
    return row ? this.imageFromRow(row) : undefined;
  }

  images(): ImageRecord[] {
    const layersBy = new Map<string, string[]>();
    for (const r of this.stmts.allImageLayers.all() as { image_id: string; chain_id: string }[]) {
      const list = layersBy.get(r.image_id) ?? [];
      list.push(r.chain_id);
      layersBy.set(r.image_id, list);
    }
    return (this.stmts.images.all() as ImageRow[]).map((r) => ({
      id: r.id, config: r.config, size: r.size, created: r.created, parent: r.parent, lastTagTime: r.last_tag_time, chainIds: layersBy.get(r.id) ?? [],
    }));
  }

  /** Full ids starting with `prefix` ("sha256:abc"); at most two, enough to detect ambiguity. */
  idsWithPrefix(prefix: string): string[] {
    return (this.stmts.idsByPrefix.all(prefix, prefix) as { id: string }[]).map((r) => r.id);
  }

  layer(chainId: string): LayerRecord | undefined {
    const row = this.stmts.layer.get(chainId) as LayerRow | undefined;
    return row ? layerFromRow(row) : undefined;
  }

  putLayer(l: LayerRecord): void {
    this.db.prepare('INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, size, blob_digest, blob_media_type, blob_size) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(l.chainId, l.diffId, l.parent, l.size, l.blobDigest, l.blobMediaType, l.blobSize);
  }

  /** Points a layer at another blob of the same content (e.g. its gzip form made for a push). */
  replaceLayerBlob(chainId: string, digest: string, mediaType: string, size: number): void {
    this.db.prepare('UPDATE layers SET blob_digest = ?, blob_media_type = ?, blob_size = ? WHERE chain_id = ?').run(digest, mediaType, size, chainId);
  }

  refsOf(imageId: string): { ref: string; isDigest: boolean }[] {
    return (this.stmts.refsOf.all(imageId) as { ref: string; is_digest: number }[]).map((r) => ({ ref: r.ref, isDigest: r.is_digest === 1 }));
  }

  allRefs(): { ref: string; imageId: string; isDigest: boolean }[] {
    return (this.stmts.allRefs.all() as { ref: string; image_id: string; is_digest: number }[]).map((r) => ({ ref: r.ref, imageId: r.image_id, isDigest: r.is_digest === 1 }));
  }

  refTarget(ref: string): string | undefined {
    return (this.stmts.ref.get(ref) as { image_id: string } | undefined)?.image_id;
  }

  /**
   * Records an image whose layers are already stored, and points refs at it,
   * in one transaction. Returns the refs that moved away from another image.
   */
  commitImage(image: Omit<ImageRecord, 'lastTagTime'>, refs: { ref: string; isDigest: boolean }[]): { previous: Map<string, string> } {
    const tx = this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO images (id, config, size, created, parent, last_tag_time) VALUES (?, ?, ?, ?, ?, ?)')
        .run(image.id, image.config, image.size, image.created, image.parent, '');
      const insertLayer = this.db.prepare('INSERT OR IGNORE INTO image_layers (image_id, position, chain_id) VALUES (?, ?, ?)');
      image.chainIds.forEach((c, i) => insertLayer.run(image.id, i, c));
      const previous = new Map<string, string>();
      for (const r of refs) {
        const before = this.refTarget(r.ref);
        if (before && before !== image.id) previous.set(r.ref, before);
        this.setRef(r.ref, image.id, r.isDigest);
      }
      if (refs.some((r) => !r.isDigest)) this.touchTagTime(image.id);
      return { previous };
    });
    return tx.immediate();
  }

  setRef(ref: string, imageId: string, isDigest: boolean): string | undefined {
    const before = this.refTarget(ref);
    this.db.prepare(`INSERT INTO refs (ref, image_id, is_digest, created_seq) VALUES (?, ?, ?, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM refs))
      ON CONFLICT(ref) DO UPDATE SET image_id = excluded.image_id, created_seq = excluded.created_seq`).run(ref, imageId, isDigest ? 1 : 0);
    return before;
  }

  touchTagTime(imageId: string): void {
    this.db.prepare('UPDATE images SET last_tag_time = ? WHERE id = ?').run(new Date().toISOString(), imageId);
  }

  deleteRef(ref: string): boolean {
    return this.db.prepare('DELETE FROM refs WHERE ref = ?').run(ref).changes === 1;
  }

  /**
   * Deletes the image record; returns the layers that went with it: those no
   * other image uses and no lease holds.
   */
  deleteImage(id: string): LayerRecord[] {
    const tx = this.db.transaction(() => {
      const chains = (this.stmts.imageLayers.all(id) as { chain_id: string }[]).map((r) => r.chain_id);
      this.db.prepare('DELETE FROM refs WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
      return this.collectLayers(chains);
    });
    return tx.immediate();
  }

  /**
   * Deletes the records of those `chainIds` that no image uses and no lease
   * holds, and returns them: their directories and blobs may go.
   */
  collectLayers(chainIds: string[]): LayerRecord[] {
    return this.collect.immediate(chainIds);
  }

  private collectTx(chainIds: string[]): LayerRecord[] {
    const freed: LayerRecord[] = [];
    for (const c of new Set(chainIds)) {
      if (this.stmts.layerUsed.get(c)) continue;
      if (this.leases.holdsLayer(c)) continue;
      const layer = this.layer(c);
      if (!layer) continue;
      this.stmts.deleteLayer.run(c);
      freed.push(layer);
    }
    return freed;
  }

  /** Every layer record no image uses and no lease holds (left by a crash). */
  unreferencedLayers(): string[] {
    return (this.db.prepare(`SELECT chain_id FROM layers l WHERE NOT EXISTS (SELECT 1 FROM image_layers i WHERE i.chain_id = l.chain_id)
      AND NOT EXISTS (SELECT 1 FROM lease_layers x WHERE x.chain_id = l.chain_id)`).all() as { chain_id: string }[]).map((r) => r.chain_id);
  }

  /** Runs `fn` as one immediate transaction (reads and writes see no one else's half). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Layer records whose blob is used by no remaining layer. */
  blobInUse(digest: string): boolean {
    return Boolean(this.db.prepare('SELECT 1 FROM layers WHERE blob_digest = ? LIMIT 1').get(digest));
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }

  /** Nest's shutdown hook: the service closes its database last. */
  onApplicationShutdown(): void {
    this.close();
  }
}
