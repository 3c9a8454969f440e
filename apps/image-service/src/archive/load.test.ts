import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { rootfsTar, testImageStore } from '../images/image-test-helpers';
import { loadArchive } from './load';
import { SpooledArchive } from './spool';

const sha = (b: Buffer) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');

function tarOf(files: Record<string, Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, data] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, data);
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => { pack.on('data', (c: unknown) => chunks.push(c as Buffer)); pack.on('end', () => resolve(Buffer.concat(chunks))); });
}

/** A one-layer OCI layout; `tamper` swaps what is stored under a digest. */
async function ociLayout(tamper: { config?: Buffer; layer?: Buffer } = {}): Promise<{ archive: Buffer; diffId: string }> {
  const layerTar = await rootfsTar('oci layer');
  const layer = gzipSync(layerTar);
  const diffId = sha(layerTar);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
  }));
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': 'docker.io/library/oci:test' } }] }));
  const blob = (d: string) => `blobs/sha256/${d.slice(7)}`;
  const archive = await tarOf({
    'oci-layout': Buffer.from('{"imageLayoutVersion":"1.0.0"}'),
    'index.json': index,
    [blob(sha(manifest))]: manifest,
    [blob(sha(config))]: tamper.config ?? config,
    [blob(sha(layer))]: tamper.layer ?? layer,
  });
  return { archive, diffId };
}

async function load(archive: Buffer) {
  const s = testImageStore();
  const spool = await SpooledArchive.from(Readable.from([archive]), path.join(s.root, 'spool'));
  const lease = s.leases.startJob('load');
  try {
    return { s, result: await loadArchive(s.m, lease, spool, () => undefined).then((ids) => ({ ids }), (err: Error) => ({ err })) };
  } finally {
    await lease.release();
    spool.remove();
  }
}

test('docker load of an OCI layout: blobs must match the digests that name them', async () => {
  const honest = await ociLayout();
  const ok = await load(honest.archive);
  try {
    assert.ok('ids' in ok.result, String((ok.result as { err?: Error }).err));
    assert.ok(ok.s.m.layers.has(honest.diffId));
  } finally {
    fs.rmSync(ok.s.root, { recursive: true, force: true });
  }

  const badConfig = await load((await ociLayout({ config: Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}') })).archive);
  try {
    assert.match(String((badConfig.result as { err?: Error }).err), /does not match its digest/);
  } finally {
    fs.rmSync(badConfig.s.root, { recursive: true, force: true });
  }

  // Same files, other gzip: the diffID matches, the blob is not the one the manifest names.
  const regz = gzipSync(await rootfsTar('oci layer'), { level: 1, memLevel: 1 });
  const tampered = await ociLayout({ layer: regz });
  const badLayer = await load(tampered.archive);
  try {
    assert.match(String((badLayer.result as { err?: Error }).err), /verification failed/);
    assert.equal(badLayer.s.m.layers.has(tampered.diffId), false, 'nothing under the chain ID');
    assert.deepEqual(fs.readdirSync(badLayer.s.m.layers.root), []);
  } finally {
    fs.rmSync(badLayer.s.root, { recursive: true, force: true });
  }
});
