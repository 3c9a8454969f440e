import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { ImageManager, ImageView } from '../images/image-manager';
import { hexOf, sha256 } from '../store/digest';
import { LayerRecord } from '../store/image-db';
import { namedRef } from '../images/names';
import { familiarName } from '@berth/reference';

const MTIME = new Date(0);

function addBuffer(pack: tar.Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => pack.entry({ name, size: data.length, mode: 0o644, mtime: MTIME }, data, (err) => (err ? reject(err) : resolve())));
}

function addDir(pack: tar.Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => pack.entry({ name, type: 'directory', mode: 0o755, mtime: MTIME }, (err) => (err ? reject(err) : resolve())));
}

async function addFile(pack: tar.Pack, name: string, file: string): Promise<void> {
  const size = fs.statSync(file).size;
  const entry = pack.entry({ name, size, mode: 0o644, mtime: MTIME });
  await pipeline(fs.createReadStream(file), entry);
}

/**
 * `docker save`: an archive with both the classic manifest.json/repositories
 * and an OCI layout (index.json, blobs), as Docker 25+ writes it, so old and
 * new loaders read it. Layers go in uncompressed, named by diff ID.
 */
export async function saveImages(images: ImageManager, names: string[], pack: tar.Pack): Promise<void> {
  const views: { view: ImageView; tags: string[] }[] = [];
  const byId = new Map<string, { view: ImageView; tags: string[] }>();
  for (const name of names) {
    const view = images.inspect(name);
    let entry = byId.get(view.record.id);
    if (!entry) {
      entry = { view, tags: [] };
      byId.set(view.record.id, entry);
      views.push(entry);
    }
    // Saving by ID keeps every tag; saving by name keeps that name.
    const isId = /^(sha256:)?[a-f0-9]{6,64}$/.test(name) && view.record.id.includes(name.replace(/^sha256:/, ''));
    const tags = isId ? view.repoTags : [namedRef(name).familiar];
    for (const t of tags) if (!entry.tags.includes(t)) entry.tags.push(t);
  }

  const written = new Set<string>();
  await addDir(pack, 'blobs');
  await addDir(pack, 'blobs/sha256');
  const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const index: { schemaVersion: number; mediaType: string; manifests: unknown[] } = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };

  for (const { view, tags } of views) {
    const config = Buffer.from(view.record.config);
    const configPath = `blobs/sha256/${hexOf(view.record.id)}`;
    if (!written.has(configPath)) { await addBuffer(pack, configPath, config); written.add(configPath); }
    const layerPaths: string[] = [];
    const ociLayers: unknown[] = [];
    for (const layer of view.layers) {
      const p = `blobs/sha256/${hexOf(layer.diffId)}`;
      layerPaths.push(p);
      if (!written.has(p)) {
        const size = await addLayer(images, pack, p, layer);
        written.add(p);
        ociLayers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.diffId, size });
      } else {
        ociLayers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.diffId, size: 0 });
      }
    }
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: view.record.id, size: config.length },
      layers: ociLayers,
    }));
    const manifestDigest = sha256(manifest);
    const manifestPath = `blobs/sha256/${hexOf(manifestDigest)}`;
    if (!written.has(manifestPath)) { await addBuffer(pack, manifestPath, manifest); written.add(manifestPath); }
    const descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length };
    if (tags.length === 0) index.manifests.push(descriptor);
    for (const t of tags) {
      const ref = namedRef(t);
      index.manifests.push({ ...descriptor, annotations: { 'io.containerd.image.name': ref.canonical, 'org.opencontainers.image.ref.name': ref.ref.tag ?? 'latest' } });
      const repo = familiarName(ref.ref);
      repositories[repo] = { ...(repositories[repo] ?? {}), [ref.ref.tag ?? 'latest']: hexOf(view.record.id) };
    }
    manifestJson.push({ Config: configPath, RepoTags: tags.length > 0 ? tags : null, Layers: layerPaths });
  }
  await addBuffer(pack, 'index.json', Buffer.from(JSON.stringify(index)));
  await addBuffer(pack, 'manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  await addBuffer(pack, 'oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  if (Object.keys(repositories).length > 0) await addBuffer(pack, 'repositories', Buffer.from(JSON.stringify(repositories)));
  pack.finalize();
}

/** Writes a layer as its uncompressed tar (gzip blobs are expanded first: a tar entry needs its size). */
async function addLayer(images: ImageManager, pack: tar.Pack, name: string, layer: LayerRecord): Promise<number> {
  const blob = images.content.path(layer.blobDigest);
  if (layer.blobDigest === layer.diffId) {
    await addFile(pack, name, blob);
    return fs.statSync(blob).size;
  }
  const tmp = images.content.tempPath('save');
  try {
    await pipeline(fs.createReadStream(blob), zlib.createGunzip(), fs.createWriteStream(tmp));
    await addFile(pack, name, tmp);
    return fs.statSync(tmp).size;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
