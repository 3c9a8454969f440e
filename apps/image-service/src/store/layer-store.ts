import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractLayer } from '@berth/archive';
import { hexOf } from './digest';
import { sweepLeftovers } from './leftovers';

export class LayerVerificationError extends Error {}

/** What a layer's bytes must hash to; each one given is checked before the layer is visible. */
export interface LayerDigests {
  /** sha256 of the uncompressed tar. */
  diffId?: string;
  /** sha256 of the blob as it came (the registry's or the archive's digest). */
  compressedDigest?: string;
}

export interface UnpackedLayer { size: number; diffId: string; compressedDigest: string }

/**
 * Whether a layer record exists for a chain ID. A directory under a chain
 * ID without a record is not trusted: only a crash can leave one (between
 * the rename and the record), and the next unpack replaces it.
 */
export type IsRecorded = (chainId: string) => boolean;

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
   * Unpacks a layer (gzip or plain tar) into a staging directory, checks
   * every digest in `expected`, and only then renames it to its chain ID.
   * On any error, mismatch included, nothing is left behind; a crash leaves
   * a staging directory named by this pid, which the next start sweeps.
   */
  async unpack(chainId: string, input: NodeJS.ReadableStream, expected: LayerDigests, isRecorded: IsRecorded): Promise<UnpackedLayer> {
    const target = this.dir(chainId);
    return this.staged(input, (res) => {
      if (expected.compressedDigest && res.compressedDigest !== expected.compressedDigest) {
        throw new LayerVerificationError(`filesystem layer verification failed for digest ${expected.compressedDigest}`);
      }
      if (expected.diffId && res.diffId !== expected.diffId) {
        throw new LayerVerificationError(`layer diff ID mismatch: expected ${expected.diffId}, got ${res.diffId}`);
      }
      return { chainId, target };
    }, isRecorded);
  }

  /** Unpacks a layer whose diff ID is not known in advance (docker import): bottom layer, chain = diff ID. */
  async unpackNew(input: NodeJS.ReadableStream, isRecorded: IsRecorded): Promise<UnpackedLayer> {
    return this.staged(input, (res) => ({ chainId: res.diffId, target: this.dir(res.diffId) }), isRecorded);
  }

  private async staged(
    input: NodeJS.ReadableStream,
    verify: (res: UnpackedLayer) => { chainId: string; target: string },
    isRecorded: IsRecorded,
  ): Promise<UnpackedLayer> {
    const staging = path.join(this.root, `staging-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
    let untrusted: string | undefined;
    try {
      try {
        await fs.promises.mkdir(staging, 0o755);
        await fs.promises.chmod(staging, 0o755);
      } catch (err) {
        (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        throw err;
      }
      const res = await extractLayer(input, staging, { whiteouts: 'overlay' });
      const layer = { size: res.size, diffId: res.diffId, compressedDigest: res.compressedDigest };
      const { chainId, target } = verify(layer);
      untrusted = this.install(staging, chainId, target, isRecorded);
      return layer;
    } finally {
      await fs.promises.rm(staging, { recursive: true, force: true });
      if (untrusted) await fs.promises.rm(untrusted, { recursive: true, force: true });
    }
  }

  /**
   * Puts a verified staging directory under its chain ID, synchronously so
   * no record can appear between the check and the renames. A recorded
   * layer's directory is kept (it may be a running container's lower dir;
   * ours holds the same verified content); one without a record is moved
   * aside and replaced. Returns what was moved aside, for the caller to delete.
   */
  private install(staging: string, chainId: string, target: string, isRecorded: IsRecorded): string | undefined {
    let untrusted: string | undefined;
    if (fs.existsSync(target)) {
      if (isRecorded(chainId)) return undefined;
      untrusted = this.moveAside(chainId);
    }
    fs.renameSync(staging, target);
    return untrusted;
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
