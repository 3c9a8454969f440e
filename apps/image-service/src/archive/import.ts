import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ImageManager } from '../images/image-manager';
import { applyChanges } from './changes';
import { sha256 } from '../store/digest';
import type { JobLease } from '../images/image-leases';
import { parsePlatform } from '../images/platform';

export interface ImportOptions { repo: string; tag: string; changes: string[]; message: string; platform: string }

/** `docker import`: one root filesystem tar (plain or gzip) becomes a one-layer image. */
export async function importRootfs(images: ImageManager, lease: JobLease, input: NodeJS.ReadableStream, opts: ImportOptions): Promise<string> {
  const config = applyChanges({}, opts.changes);
  const tmp = images.content.tempPath('import');
  try {
    await pipeline(input, fs.createWriteStream(tmp));
    const { diffId, size, compressedDigest } = await images.layers.unpackNew(fs.createReadStream(tmp), images.isLayerRecorded);
    if (!images.content.has(compressedDigest)) await images.content.commitFile(tmp, compressedDigest);
    images.db.atomically(() => {
      images.db.putLayer({
        chainId: diffId, diffId, parent: '', size, blobDigest: compressedDigest,
        blobMediaType: compressedDigest === diffId ? 'application/vnd.docker.image.rootfs.diff.tar' : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        blobSize: images.content.size(compressedDigest),
      });
      lease.hold(diffId);
    });
    const { os, architecture } = parsePlatform(opts.platform);
    const created = new Date().toISOString();
    const comment = opts.message || 'Imported from -';
    const configRaw = Buffer.from(JSON.stringify({
      architecture,
      comment,
      config,
      created,
      docker_version: '28.3.3',
      history: [{ created, comment }],
      os,
      rootfs: { type: 'layers', diff_ids: [diffId] },
    }));
    await images.content.writeBuffer(configRaw, sha256(configRaw));
    const refs = opts.repo ? [`${opts.repo}${opts.tag ? `:${opts.tag}` : ''}`] : [];
    const { id } = images.commit(configRaw, [diffId], refs);
    images.emit({ Type: 'image', Action: 'import', Actor: { ID: id, Attributes: { name: refs[0] ?? id } } });
    return id;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
