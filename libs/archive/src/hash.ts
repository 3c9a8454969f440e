import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through unchanged while hashing them, for digests computed in flight. */
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** `sha256:<hex>`; call once, after the stream has ended. */
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/**
 * A pass-through sha256 hasher: pipe bytes through `stream`, then read
 * `digest()` (`sha256:<hex>`) once it has ended.
 */
export function sha256Stream(): { stream: Transform; digest(): string } {
  const stream = new HashingStream();
  let memo: string | undefined;
  return { stream, digest: () => (memo ??= stream.digest()) };
}
