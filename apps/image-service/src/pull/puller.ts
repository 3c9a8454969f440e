import * as fs from 'node:fs';
import { Transform } from 'node:stream';
import { decodeAuthHeader, type PullRequest, type PullResult, type ProgressLine } from '@berth/jobs';
import { RpcError } from '@berth/rpc';
import { ImageManager } from '../images/image-manager';
import { namedRef } from '../images/names';
import { familiarName } from '@berth/reference';
import { parseConfig } from '../images/image-config';
import { chainIds, sha256 } from '../store/digest';
import { RegistryAuth, RegistryClient, Descriptor } from '../registry';
import { ProgressBatcher, bar, shortId } from './progress';
import type { ImageLeases, JobLease } from '../images/image-leases';
import { parsePlatform } from '../images/platform';
import { LayerVerificationError } from '../store/layer-store';

/** The client's X-Registry-Auth header as the registry client's credentials; undefined when absent or not decodable. */
export function decodeRegistryAuth(header: string | undefined): RegistryAuth | undefined {
  return header ? decodeAuthHeader(header) as RegistryAuth | undefined : undefined;
}

/** Runs with at most `limit` tasks at once. */
async function parallel<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

/** docker pull: manifest, config, layers in parallel, verified, unpacked, committed at once. */
export class Puller {
  constructor(
    private readonly images: ImageManager,
    private readonly leases: ImageLeases,
    private readonly registry: RegistryClient,
    private readonly concurrency = 3,
  ) {}

  /** The pull holds a lease on every layer it finds or makes until its image is committed. */
  async pull(job: PullRequest, report: (lines: ProgressLine[]) => Promise<void>): Promise<PullResult> {
    const lease = this.leases.startJob('pull');
    try {
      return await this.pullLeased(job, lease, report);
    } finally {
      await lease.release();
    }
  }

  private async pullLeased(job: PullRequest, lease: JobLease, report: (lines: ProgressLine[]) => Promise<void>): Promise<PullResult> {
    const named = namedRef(job.reference);
    const auth = decodeRegistryAuth(job.registryAuth);
    const progress = new ProgressBatcher(report);
    const repo = { domain: named.ref.domain, path: named.ref.path };
    const reference = named.ref.digest ?? named.ref.tag ?? 'latest';
    progress.line({ status: `Pulling from ${named.ref.path}`, id: named.ref.digest ?? named.ref.tag });

    const manifest = await this.registry.resolve(repo, reference, parsePlatform(job.platform), auth);
    const configBuf = await this.fetchSmall(repo, manifest.config, auth);
    const cfg = parseConfig(configBuf);
    const diffIds = cfg.rootfs!.diff_ids;
    if (diffIds.length !== manifest.layers.length) throw RpcError.invalidArgument(`manifest has ${manifest.layers.length} layers but the config lists ${diffIds.length}`);
    const chains = chainIds(diffIds);
    const imageId = sha256(configBuf);
    const previousTarget = named.ref.tag ? this.images.db.refTarget(named.canonical) : undefined;

    const missing: number[] = [];
    manifest.layers.forEach((layer, i) => {
      if (lease.holdIfPresent(chains[i])) progress.line({ status: 'Already exists', id: shortId(layer.digest) });
      else {
        missing.push(i);
        progress.line({ status: 'Pulling fs layer', id: shortId(layer.digest) });
      }
    });
    missing.slice(this.concurrency).forEach((i) => progress.line({ status: 'Waiting', id: shortId(manifest.layers[i].digest) }));

    await parallel(missing, this.concurrency, async (i) => {
      const layer = manifest.layers[i];
      const id = shortId(layer.digest);
      const res = await this.downloadAndUnpack(repo, layer, chains[i], diffIds[i], auth, progress);
      this.images.db.atomically(() => {
        this.images.db.putLayer({
          chainId: chains[i], diffId: diffIds[i], parent: i > 0 ? chains[i - 1] : '', size: res.size,
          blobDigest: layer.digest, blobMediaType: layer.mediaType, blobSize: layer.size,
        });
        lease.hold(chains[i]);
      });
      progress.line({ status: 'Pull complete', id });
    });

    await this.images.content.writeBuffer(configBuf, imageId);
    const digestRef = `${familiarName(named.ref)}@${manifest.indexDigest ?? manifest.digest}`;
    const refs = named.ref.tag ? [named.familiar, digestRef] : [digestRef];
    this.images.commit(configBuf, chains, refs);
    this.images.emit({ Type: 'image', Action: 'pull', Actor: { ID: named.familiar, Attributes: { name: familiarName(named.ref) } } });
    await progress.flush();
    const upToDate = previousTarget === imageId && missing.length === 0;
    return {
      imageId,
      digest: manifest.indexDigest ?? manifest.digest,
      lines: [
        { status: `Digest: ${manifest.indexDigest ?? manifest.digest}` },
        { status: upToDate ? `Status: Image is up to date for ${named.familiar}` : `Status: Downloaded newer image for ${named.familiar}` },
      ],
    };
  }

  private async fetchSmall(repo: { domain: string; path: string }, desc: Descriptor, auth?: RegistryAuth): Promise<Buffer> {
    if (this.images.content.has(desc.digest)) return this.images.content.read(desc.digest);
    const { stream } = await this.registry.fetchBlob(repo, desc.digest, auth);
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    const buf = Buffer.concat(chunks);
    if (sha256(buf) !== desc.digest) throw RpcError.invalidArgument(`digest mismatch for ${desc.digest}`);
    return buf;
  }

  /**
   * Streams a layer blob once: into a file for the content store and, at the
   * same time, through gunzip into a staging directory. The blob's digest
   * and the diffID are both checked before the directory takes its chain
   * ID and before the blob enters the content store.
   */
  private async downloadAndUnpack(
    repo: { domain: string; path: string }, layer: Descriptor, chain: string, diffId: string,
    auth: RegistryAuth | undefined, progress: ProgressBatcher,
  ): Promise<{ size: number }> {
    const id = shortId(layer.digest);
    const expected = { diffId, compressedDigest: layer.digest };
    if (this.images.content.has(layer.digest)) {
      progress.line({ status: 'Extracting', id, progressDetail: { current: 0, total: layer.size } });
      return this.unpack(chain, this.images.content.open(layer.digest), expected);
    }
    const { stream } = await this.registry.fetchBlob(repo, layer.digest, auth);
    const tmp = this.images.content.tempPath('pull');
    const file = fs.createWriteStream(tmp);
    let current = 0;
    const tee = new Transform({
      transform(chunk: Buffer, _e, cb) {
        current += chunk.length;
        progress.counter({ status: 'Downloading', id, progressDetail: { current, total: layer.size }, progress: bar(current, layer.size) });
        if (file.write(chunk)) cb(null, chunk);
        else file.once('drain', () => cb(null, chunk));
      },
      flush(cb) { file.end(cb); },
    });
    try {
      stream.pipe(tee);
      stream.on('error', (err: Error) => tee.destroy(err));
      const res = await this.unpack(chain, tee, expected);
      progress.line({ status: 'Verifying Checksum', id });
      progress.line({ status: 'Download complete', id });
      await new Promise<void>((resolve, reject) => (file.writableFinished ? resolve() : file.once('finish', resolve).once('error', reject)));
      await this.images.content.commitFile(tmp, layer.digest);
      return res;
    } finally {
      file.destroy();
      fs.rmSync(tmp, { force: true });
    }
  }

  private async unpack(chain: string, input: NodeJS.ReadableStream, expected: { diffId: string; compressedDigest: string }): Promise<{ size: number }> {
    try {
      return await this.images.layers.unpack(chain, input, expected, this.images.isLayerRecorded);
    } catch (err) {
      if (err instanceof LayerVerificationError) throw RpcError.invalidArgument(err.message);
      throw err;
    }
  }
}
