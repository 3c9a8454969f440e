import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import * as crypto from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PushRequest, PushResult, ProgressLine } from '@berth/jobs';
import { familiarName, fullName } from '@berth/reference';
import { RpcError } from '@berth/rpc';
import { ImageManager } from '../images/image-manager';
import { namedRef } from '../images/names';
import { sha256 } from '../store/digest';
import { LayerRecord } from '../store/image-db';
import { RegistryClient } from '../registry';
import { decodeRegistryAuth } from './puller';
import { ProgressBatcher, shortId } from './progress';

const GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';
const CONFIG = 'application/vnd.docker.container.image.v1+json';

/** docker push: missing blobs uploaded (or mounted from another repository), then the manifest. */
export class Pusher {
  constructor(private readonly images: ImageManager, private readonly registry: RegistryClient) {}

  async push(job: PushRequest, report: (lines: ProgressLine[]) => Promise<void>): Promise<PushResult> {
    const named = namedRef(job.reference);
    const auth = decodeRegistryAuth(job.registryAuth);
    const view = this.images.inspect(job.reference);
    const progress = new ProgressBatcher(report);
    const repo = { domain: named.ref.domain, path: named.ref.path };
    const tag = named.ref.tag ?? 'latest';
    progress.line({ status: `The push refers to repository [${fullName(named.ref).replace(/^docker\.io\//, 'docker.io/')}]` });

    // Registries want compressed layers: plain tar blobs (from docker load) are gzipped once and kept.
    const layers: LayerRecord[] = [];
    for (const l of view.layers) layers.push(await this.compressed(l));
    for (const l of [...layers].reverse()) progress.line({ status: 'Preparing', id: shortId(l.blobDigest) });
    const mountFrom = this.otherRepository(view.repoDigests, view.repoTags, named.ref.domain, named.ref.path);
    for (const l of [...layers].reverse()) {
      const id = shortId(l.blobDigest);
      const outcome = await this.registry.pushBlob(repo, { mediaType: l.blobMediaType, digest: l.blobDigest, size: l.blobSize },
        () => this.images.content.open(l.blobDigest), auth, mountFrom);
      if (outcome === 'exists') progress.line({ status: 'Layer already exists', id });
      else if (outcome === 'mounted') progress.line({ status: `Mounted from ${mountFrom}`, id });
      else progress.line({ status: 'Pushed', id });
    }
    const config = Buffer.from(view.record.config);
    await this.registry.pushBlob(repo, { mediaType: CONFIG, digest: view.record.id, size: config.length }, () => Readable.from([config]), auth);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: SCHEMA2,
      config: { mediaType: CONFIG, size: config.length, digest: view.record.id },
      layers: layers.map((l) => ({ mediaType: l.blobMediaType, size: l.blobSize, digest: l.blobDigest })),
    }, null, 3));
    const digest = await this.registry.pushManifest(repo, tag, SCHEMA2, manifest, auth);
    if (digest !== sha256(manifest)) throw RpcError.internal(`registry answered digest ${digest} for manifest ${sha256(manifest)}`);
    this.images.db.setRef(namedRef(`${familiarName(named.ref)}@${digest}`).canonical, view.record.id, true);
    this.images.emit({ Type: 'image', Action: 'push', Actor: { ID: named.familiar, Attributes: { name: familiarName(named.ref) } } });
    await progress.flush();
    return {
      digest,
      lines: [
        { status: `${tag}: digest: ${digest} size: ${manifest.length}` },
        { progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: manifest.length } },
      ],
    };
  }

  /** A repository on the same registry that already has these blobs, for cross-repository mounts. */
  private otherRepository(digests: string[], tags: string[], domain: string, path: string): string | undefined {
    for (const r of [...digests, ...tags]) {
      try {
        const ref = namedRef(r).ref;
        if (ref.domain === domain && ref.path !== path) return ref.path;
      } catch { /* not a reference */ }
    }
    return undefined;
  }

  private async compressed(layer: LayerRecord): Promise<LayerRecord> {
    if (layer.blobMediaType !== 'application/vnd.docker.image.rootfs.diff.tar') return layer;
    const tmp = this.images.content.tempPath('gzip');
    const hash = crypto.createHash('sha256');
    let size = 0;
    const hasher = new Transform({ transform(c: Buffer, _e, cb) { hash.update(c); size += c.length; cb(null, c); } });
    try {
      await pipeline(this.images.content.open(layer.blobDigest), zlib.createGzip({ level: 1 }), hasher, fs.createWriteStream(tmp));
      const digest = 'sha256:' + hash.digest('hex');
      if (!this.images.content.has(digest)) await this.images.content.commitFile(tmp, digest);
      const updated = { ...layer, blobDigest: digest, blobMediaType: GZIP, blobSize: size };
      this.images.db.replaceLayerBlob(layer.chainId, digest, GZIP, size);
      if (!this.images.db.blobInUse(layer.blobDigest)) this.images.content.remove(layer.blobDigest);
      return updated;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}
