import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { hexOf } from './digest';
import { sweepLeftovers } from './leftovers';

export class DigestMismatchError extends Error {}

/**
 * Blobs addressed by digest. Each is written to a temporary file, verified,
 * then renamed into place: nothing unverified is ever visible.
 */
export class ContentStore {
  private readonly blobs: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.blobs = path.join(root, 'blobs', 'sha256');
    this.tmp = path.join(root, 'tmp');
    fs.mkdirSync(this.blobs, { recursive: true });
    fs.mkdirSync(this.tmp, { recursive: true });
    sweepLeftovers(this.tmp);
  }

  path(digest: string): string {
    return path.join(this.blobs, hexOf(digest));
  }

  has(digest: string): boolean {
    return fs.existsSync(this.path(digest));
  }

  /** A fresh path for a temporary file inside the store's file system (so rename is atomic). */
  tempPath(label = 'ingest'): string {
    return path.join(this.tmp, `${label}-${process.pid}-${crypto.randomBytes(8).toString('hex')}`);
  }

  /** Streams into the store; rejects (and keeps nothing) when `expected` is given and differs. */
  async ingest(input: NodeJS.ReadableStream, expected?: string): Promise<{ digest: string; size: number }> {
    const tmp = this.tempPath();
    const hash = crypto.createHash('sha256');
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) { hash.update(chunk); size += chunk.length; cb(null, chunk); },
    });
    try {
      await pipeline(input, hasher, fs.createWriteStream(tmp));
      const digest = 'sha256:' + hash.digest('hex');
      if (expected && digest !== expected) throw new DigestMismatchError(`digest mismatch: expected ${expected}, got ${digest}`);
      await this.commitFile(tmp, digest);
      return { digest, size };
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /** Moves an already verified temporary file into place (idempotent when the blob exists). */
  async commitFile(tmpFile: string, digest: string): Promise<void> {
    const fd = await fs.promises.open(tmpFile, 'r');
    try { await fd.sync(); } finally { await fd.close(); }
    await fs.promises.rename(tmpFile, this.path(digest));
  }

  /** Stores a small blob under its digest, which it must match (nothing is stored under a digest unchecked). */
  async writeBuffer(data: Buffer, digest: string): Promise<void> {
    const actual = 'sha256:' + crypto.createHash('sha256').update(data).digest('hex');
    if (actual !== digest) throw new DigestMismatchError(`digest mismatch: expected ${digest}, got ${actual}`);
    if (this.has(digest)) return;
    const tmp = this.tempPath('buf');
    try {
      await fs.promises.writeFile(tmp, data);
      await this.commitFile(tmp, digest);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  open(digest: string): fs.ReadStream {
    return fs.createReadStream(this.path(digest));
  }

  read(digest: string): Buffer {
    return fs.readFileSync(this.path(digest));
  }

  size(digest: string): number {
    return fs.statSync(this.path(digest)).size;
  }

  remove(digest: string): void {
    fs.rmSync(this.path(digest), { force: true });
  }
}
