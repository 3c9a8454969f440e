import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from './errors';
import { Descriptor, MediaTypes, parseManifest, selectPlatform } from './manifests';

const d = (digest: string, os: string, architecture: string, variant?: string): Descriptor => ({
  mediaType: MediaTypes.OCI_MANIFEST,
  digest: `sha256:${digest.padEnd(64, '0')}`,
  size: 1,
  platform: variant ? { os, architecture, variant } : { os, architecture },
});

describe('platform selection', () => {
  const list = [
    d('a1', 'linux', 'arm', 'v6'),
    d('a2', 'linux', 'arm', 'v7'),
    d('a3', 'linux', 'arm64', 'v8'),
    d('a4', 'linux', 'amd64'),
    d('a5', 'unknown', 'unknown'),
    d('a6', 'windows', 'amd64'),
  ];

  it('picks os/architecture, variant when given', () => {
    assert.equal(selectPlatform(list, { os: 'linux', architecture: 'amd64' }).digest, list[3]!.digest);
    assert.equal(selectPlatform(list, { os: 'linux', architecture: 'arm64' }).digest, list[2]!.digest);
    assert.equal(selectPlatform(list, { os: 'linux', architecture: 'aarch64' }).digest, list[2]!.digest);
    assert.equal(selectPlatform(list, { os: 'linux', architecture: 'arm' }).digest, list[1]!.digest);
    assert.equal(selectPlatform(list, { os: 'linux', architecture: 'arm', variant: 'v6' }).digest, list[0]!.digest);
    assert.equal(selectPlatform(list, { os: 'windows', architecture: 'amd64' }).digest, list[5]!.digest);
  });

  it('words a miss like dockerd', () => {
    assert.throws(
      () => selectPlatform([list[2]!], { os: 'linux', architecture: 'amd64' }),
      (e: RegistryError) => e.message === 'no matching manifest for linux/amd64 in the manifest list entries',
    );
    assert.throws(
      () => selectPlatform([list[3]!], { os: 'linux', architecture: 'arm64' }),
      (e: RegistryError) => e.message === 'no matching manifest for linux/arm64/v8 in the manifest list entries',
    );
    assert.throws(
      () => selectPlatform([list[3]!], { os: 'linux', architecture: 'arm', variant: 'v5' }),
      (e: RegistryError) => e.message === 'no matching manifest for linux/arm/v5 in the manifest list entries',
    );
  });

  it('detects media types and refuses schema 1', () => {
    const idx = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })), 'application/json');
    assert.equal(idx.mediaType, MediaTypes.OCI_INDEX);
    const list2 = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })), MediaTypes.DOCKER_MANIFEST_LIST);
    assert.equal(list2.mediaType, MediaTypes.DOCKER_MANIFEST_LIST);
    assert.throws(
      () => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 1, fsLayers: [] })), MediaTypes.DOCKER_SCHEMA1),
      /schema 1 support has been removed/,
    );
    assert.throws(() => parseManifest(Buffer.from('{"foo":1}'), 'application/json'), /unsupported manifest format/);
  });
});
