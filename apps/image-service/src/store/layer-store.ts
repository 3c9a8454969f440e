import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractLayerAtomically } from '@berth/archive';
import { hexOf } from './digest';
import { sweepLeftovers } from './leftovers';

export class LayerVerificationError extends Error {}

/**
 * Unpacked layers, one directory per chain ID, each ready to be an overlayfs
 * lower dir (whiteouts converted to overlay form on unpack).
 */
export class LayerStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.join(root, 'layers');
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    sweepLeftovers(this.root);
  }

  dir(chainId: string): string {
    return path.join(this.root, hexOf(chainId));
  }

  has(chainId: string): boolean {
    return fs.existsSync(this.dir(chainId));
  }

  /**
   * Unpacks a layer (gzip or plain tar) into its directory, verifying the
   * uncompressed digest; on any error nothing is left behind.
   */
  async unpack(chainId: string, input: NodeJS.ReadableStream, expectedDiffId?: string): Promise<{ size: number; diffId: string; compressedDigest: string }> {
    const res = await extractLayerAtomically(input, this.dir(chainId), { whiteouts: 'overlay' });
    if (expectedDiffId && res.diffId !== expectedDiffId) {
      await this.remove(chainId);
      throw new LayerVerificationError(`layer diff ID mismatch: expected ${expectedDiffId}, got ${res.diffId}`);
    }
    return res;
  }

  /** Unpacks a layer whose diff ID is not known in advance (docker import): bottom layer, chain = diff ID. */
  async unpackNew(input: NodeJS.ReadableStream): Promise<{ size: number; diffId: string; compressedDigest: string }> {
    const staging = path.join(this.root, `staging-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    try {
      const res = await extractLayerAtomically(input, staging, { whiteouts: 'overlay' });
      if (this.has(res.diffId)) await fs.promises.rm(staging, { recursive: true, force: true });
      else await fs.promises.rename(staging, this.dir(res.diffId));
      return res;
    } catch (err) {
      await fs.promises.rm(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Moves the directory aside at once (synchronously, in the same tick as
   * the transaction that freed it) and returns where: a pull unpacking the
   * same layer afterwards gets a fresh directory, never one being deleted.
   */
  moveAside(chainId: string): string | undefined {
    const trash = path.join(this.root, `trash-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    try {
      fs.renameSync(this.dir(chainId), trash);
      return trash;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async remove(chainId: string): Promise<void> {
    const trash = this.moveAside(chainId);
    if (trash) await fs.promises.rm(trash, { recursive: true, force: true });
  }
}
