// Small generated images for registry tests: a config, two gzip layers and a
// schema2 (or OCI) manifest, different for every seed, built in memory.
import { gzipSync } from 'node:zlib';
import { sha256 } from '../fixtures/images';

/** A one-file ustar archive. */
export function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 8, 'ascii');
  header.write('0000000\0', 108, 8, 'ascii');
  header.write('0000000\0', 116, 8, 'ascii');
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  header.write('00000000000\0', 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

export interface ImageBlob {
  descriptor: { mediaType: string; digest: string; size: number };
  data: Buffer;
}

export interface GeneratedImage {
  config: ImageBlob;
  layers: ImageBlob[];
  manifest: Buffer;
  manifestMediaType: string;
  manifestDigest: string;
}

/** Config + 2 gzip layers + a schema2 (or OCI) manifest, unique per `seed`. */
export function makeImage(seed: string, opts: { oci?: boolean; architecture?: string; variant?: string } = {}): GeneratedImage {
  const oci = !!opts.oci;
  const tars = [tarOf('hello.txt', Buffer.from(`hello ${seed}\n`)), tarOf('world.txt', Buffer.from(`world ${seed}\n`.repeat(1000)))];
  const layerType = oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  const layers: ImageBlob[] = tars.map((t) => {
    const gz = gzipSync(t);
    return { descriptor: { mediaType: layerType, digest: sha256(gz), size: gz.length }, data: gz };
  });
  const configJson = Buffer.from(
    JSON.stringify({
      architecture: opts.architecture ?? 'amd64',
      ...(opts.variant ? { variant: opts.variant } : {}),
      os: 'linux',
      config: { Cmd: ['/hello'], Env: [`SEED=${seed}`] },
      rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
      history: [{ created_by: 'test' }, { created_by: 'test' }],
    }),
  );
  const configType = oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json';
  const config: ImageBlob = { descriptor: { mediaType: configType, digest: sha256(configJson), size: configJson.length }, data: configJson };
  const manifestMediaType = oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = Buffer.from(
    JSON.stringify(
      { schemaVersion: 2, mediaType: manifestMediaType, config: config.descriptor, layers: layers.map((l) => l.descriptor) },
      null,
      3,
    ),
  );
  return { config, layers, manifest, manifestMediaType, manifestDigest: sha256(manifest) };
}
