import * as fs from 'node:fs';
import { ImageManager } from '../images/image-manager';
import { parseConfig } from '../images/image-config';
import { chainIds, isDigest, hexOf, sha256 } from '../store/digest';
import { InvalidArchiveError, SpooledArchive } from './spool';
import type { JobLease } from '../images/image-leases';

interface DockerManifestEntry { Config: string; RepoTags?: string[] | null; Layers: string[] }
interface OciDescriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }
interface OciIndex { manifests: OciDescriptor[] }
interface OciManifest { mediaType?: string; config: OciDescriptor; layers: OciDescriptor[]; manifests?: OciDescriptor[] }

interface ArchiveImage {
  config: Buffer;
  layerFiles: string[];
  /** The layers' blob digests when the archive names them (OCI layout): checked on unpack. */
  layerDigests?: string[];
  refs: string[];
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

/** What `docker load` reads: the classic manifest.json, else an OCI layout. */
function imagesOf(archive: SpooledArchive): ArchiveImage[] {
  if (archive.has('manifest.json')) {
    const entries = archive.readJson<DockerManifestEntry[]>('manifest.json');
    if (!Array.isArray(entries)) throw new InvalidArchiveError('invalid archive: manifest.json is not a list');
    return entries.map((e) => ({
      config: fs.readFileSync(archive.resolve(e.Config)),
      layerFiles: (e.Layers ?? []).map((l) => archive.resolve(l)),
      refs: e.RepoTags ?? [],
    }));
  }
  if (archive.has('index.json')) {
    const out: ArchiveImage[] = [];
    const blob = (d: string) => {
      if (!isDigest(d)) throw new InvalidArchiveError(`invalid archive: bad digest ${d}`);
      return archive.resolve(`blobs/sha256/${hexOf(d)}`);
    };
    // A blob is named by its digest: its content must hash to it before anything trusts it.
    const verifiedBlob = (d: string): Buffer => {
      const data = fs.readFileSync(blob(d));
      if (sha256(data) !== d) throw new InvalidArchiveError(`invalid archive: blob ${d} does not match its digest`);
      return data;
    };
    const visit = (desc: OciDescriptor, names: string[]) => {
      let manifest: OciManifest;
      try {
        manifest = JSON.parse(verifiedBlob(desc.digest).toString('utf8')) as OciManifest;
      } catch (err) {
        if (err instanceof InvalidArchiveError) throw err;
        throw new InvalidArchiveError(`invalid archive: manifest ${desc.digest} is not valid JSON`);
      }
      if (INDEX_TYPES.has(desc.mediaType) || Array.isArray(manifest.manifests)) {
        const platforms = manifest.manifests ?? [];
        const pick = platforms.find((m) => !('platform' in m) || ((m as { platform?: { os?: string; architecture?: string } }).platform?.architecture === 'amd64')) ?? platforms[0];
        if (pick) visit(pick, names);
        return;
      }
      out.push({
        config: verifiedBlob(manifest.config.digest),
        layerFiles: manifest.layers.map((l) => blob(l.digest)),
        layerDigests: manifest.layers.map((l) => l.digest),
        refs: names,
      });
    };
    for (const desc of archive.readJson<OciIndex>('index.json').manifests ?? []) {
      const a = desc.annotations ?? {};
      const full = a['io.containerd.image.name'];
      const short = a['org.opencontainers.image.ref.name'];
      // ref.name is a full reference only when it names a repository, not just a tag.
      const name = full ?? (short && /[/:]|^[a-z0-9]+$/.test(short) && !/^[\w][\w.-]*$/.test(short) ? short : undefined);
      visit(desc, name ? [name] : []);
    }
    return out;
  }
  throw new InvalidArchiveError('invalid archive: no manifest.json or index.json found');
}

/** Loads every image of a spooled archive; calls `say` with each line for the client. */
export async function loadArchive(images: ImageManager, lease: JobLease, archive: SpooledArchive, say: (line: Record<string, unknown>) => void): Promise<string[]> {
  const loaded: string[] = [];
  for (const entry of imagesOf(archive)) {
    const cfg = parseConfig(entry.config);
    const diffIds = cfg.rootfs!.diff_ids;
    if (diffIds.length !== entry.layerFiles.length) throw new InvalidArchiveError(`invalid archive: ${entry.layerFiles.length} layers for ${diffIds.length} diff IDs`);
    const chains = chainIds(diffIds);
    for (let i = 0; i < chains.length; i++) {
      if (lease.holdIfPresent(chains[i])) continue;
      const file = entry.layerFiles[i];
      say({ status: 'Loading layer', id: hexOf(diffIds[i]).slice(0, 12), progressDetail: { current: 0, total: fs.statSync(file).size } });
      const res = await images.layers.unpack(chains[i], fs.createReadStream(file), { diffId: diffIds[i], compressedDigest: entry.layerDigests?.[i] }, images.isLayerRecorded);
      const blobDigest = res.compressedDigest;
      if (!images.content.has(blobDigest)) await images.content.commitFile(file, blobDigest);
      images.db.atomically(() => {
        images.db.putLayer({
          chainId: chains[i], diffId: diffIds[i], parent: i > 0 ? chains[i - 1] : '', size: res.size,
          blobDigest, blobMediaType: blobDigest === diffIds[i] ? 'application/vnd.docker.image.rootfs.diff.tar' : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          blobSize: images.content.size(blobDigest),
        });
        lease.hold(chains[i]);
      });
    }
    await images.content.writeBuffer(entry.config, sha256(entry.config));
    const { id } = images.commit(entry.config, chains, entry.refs);
    images.emit({ Type: 'image', Action: 'load', Actor: { ID: id, Attributes: { name: entry.refs[0] ?? id } } });
    if (entry.refs.length === 0) say({ stream: `Loaded image ID: ${id}\n` });
    for (const r of entry.refs) {
      say({ stream: `Loaded image: ${r}\n` });
      images.emit({ Type: 'image', Action: 'tag', Actor: { ID: id, Attributes: { name: r } } });
    }
    loaded.push(id);
  }
  return loaded;
}
