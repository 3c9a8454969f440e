// Against a real docker-registry on a loopback port: push, pull, mount, index,
// errors, basic auth, catalog search.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from './client';
import { RegistryError } from './errors';
import { freePort, GeneratedImage, makeImage, Registry, sha256, startRegistry } from '@berth/testing';

const amd64 = { os: 'linux', architecture: 'amd64' };

async function pushImage(client: RegistryClient, repo: { domain: string; path: string }, img: GeneratedImage, tag: string, auth?: object): Promise<string> {
  for (const blob of [img.config, ...img.layers]) {
    await client.pushBlob(repo, blob.descriptor, () => Readable.from([blob.data]), auth);
  }
  return client.pushManifest(repo, tag, img.manifestMediaType, img.manifest, auth);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function rejectsWith(p: Promise<unknown>, kind: RegistryError['kind'], message: string | RegExp): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RegistryError, `expected RegistryError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('registry client against docker-registry', () => {
  let reg: Registry;
  let client: RegistryClient;
  const img = makeImage('one');

  before(async () => {
    reg = await startRegistry();
    client = new RegistryClient();
  });
  after(async () => {
    client?.close();
    await reg?.stop();
  });

  it('pushes blobs and a schema2 manifest', async () => {
    const repo = { domain: reg.host, path: 'busybox' };
    const results = [];
    for (const blob of [img.config, ...img.layers]) {
      results.push(await client.pushBlob(repo, blob.descriptor, () => Readable.from([blob.data])));
    }
    assert.deepEqual(results, ['uploaded', 'uploaded', 'uploaded']);
    assert.equal(await client.pushBlob(repo, img.layers[0]!.descriptor, () => Readable.from([img.layers[0]!.data])), 'exists');
    const digest = await client.pushManifest(repo, 'latest', img.manifestMediaType, img.manifest);
    assert.equal(digest, img.manifestDigest);
  });

  it('resolves by tag and by digest', async () => {
    const repo = { domain: reg.host, path: 'busybox' };
    const byTag = await client.resolve(repo, 'latest', amd64);
    assert.equal(byTag.digest, img.manifestDigest);
    assert.equal(byTag.mediaType, img.manifestMediaType);
    assert.ok(byTag.raw.equals(img.manifest));
    assert.deepEqual(byTag.config, img.config.descriptor);
    assert.deepEqual(byTag.layers, img.layers.map((l) => l.descriptor));
    assert.equal(byTag.indexDigest, undefined);
    const byDigest = await client.resolve(repo, img.manifestDigest, amd64);
    assert.equal(byDigest.digest, img.manifestDigest);
  });

  it('fetches blobs as streams (concurrently) with matching digests', async () => {
    const repo = { domain: reg.host, path: 'busybox' };
    const blobs = [img.config, ...img.layers, img.layers[1]!];
    const got = await Promise.all(
      blobs.map(async (b) => {
        const { stream, size } = await client.fetchBlob(repo, b.descriptor.digest);
        assert.equal(size, b.descriptor.size);
        const hash = createHash('sha256');
        for await (const c of stream as AsyncIterable<Buffer>) hash.update(c);
        return 'sha256:' + hash.digest('hex');
      }),
    );
    assert.deepEqual(got, blobs.map((b) => b.descriptor.digest));
    assert.equal(await client.blobExists(repo, img.config.descriptor.digest), true);
    assert.equal(await client.blobExists(repo, sha256(Buffer.from('nope'))), false);
  });

  it('mounts a blob from another repository', async () => {
    const b = { domain: reg.host, path: 'other/busybox' };
    const layer = img.layers[0]!;
    assert.equal(await client.pushBlob(b, layer.descriptor, () => Readable.from([layer.data]), undefined, 'busybox'), 'mounted');
    assert.equal(await client.blobExists(b, layer.descriptor.digest), true);
    // A mount source without the blob falls back to an upload.
    const fresh = makeImage('mount-fallback').layers[0]!;
    assert.equal(await client.pushBlob(b, fresh.descriptor, () => Readable.from([fresh.data]), undefined, 'busybox'), 'uploaded');
    const data = await readAll((await client.fetchBlob(b, fresh.descriptor.digest)).stream);
    assert.ok(data.equals(fresh.data));
  });

  it('picks the platform from an OCI index', async () => {
    const repo = { domain: reg.host, path: 'multi' };
    const amd = makeImage('amd', { oci: true, architecture: 'amd64' });
    const arm = makeImage('arm', { oci: true, architecture: 'arm64', variant: 'v8' });
    await pushImage(client, repo, amd, amd.manifestDigest);
    await pushImage(client, repo, arm, arm.manifestDigest);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: arm.manifestMediaType, digest: arm.manifestDigest, size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          { mediaType: amd.manifestMediaType, digest: amd.manifestDigest, size: amd.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      }),
    );
    const indexDigest = await client.pushManifest(repo, 'latest', 'application/vnd.oci.image.index.v1+json', index);
    assert.equal(indexDigest, sha256(index));

    const picked = await client.resolve(repo, 'latest', amd64);
    assert.equal(picked.digest, amd.manifestDigest);
    assert.equal(picked.indexDigest, indexDigest);
    assert.equal(picked.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.deepEqual(picked.config, amd.config.descriptor);

    const armPicked = await client.resolve(repo, indexDigest, { os: 'linux', architecture: 'arm64' });
    assert.equal(armPicked.digest, arm.manifestDigest);

    await rejectsWith(
      client.resolve(repo, 'latest', { os: 'linux', architecture: 's390x' }),
      'not-found',
      'no matching manifest for linux/s390x in the manifest list entries',
    );
  });

  it('words a missing manifest and repository like dockerd', async () => {
    const err = await rejectsWith(
      client.resolve({ domain: reg.host, path: 'busybox' }, 'nope', amd64),
      'not-found',
      `manifest for ${reg.host}/busybox:nope not found: manifest unknown: manifest unknown`,
    );
    assert.equal(err.code, 'MANIFEST_UNKNOWN');
    await rejectsWith(
      client.resolve({ domain: reg.host, path: 'nothing/here' }, 'latest', amd64),
      'not-found',
      new RegExp(`^(manifest for ${reg.host}/nothing/here:latest|repository ${reg.host}/nothing/here) not found: `),
    );
    await rejectsWith(client.fetchBlob({ domain: reg.host, path: 'busybox' }, sha256(Buffer.from('x'))), 'not-found', /^blob unknown: /);
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    // Pull by a digest the registry does not have under that content: unknown.
    const wrong = sha256(Buffer.from('not a manifest'));
    await rejectsWith(client.resolve({ domain: reg.host, path: 'busybox' }, wrong, amd64), 'not-found', /^manifest for .*@sha256:.* not found/);
  });

  it('searches through the catalog when there is no v1 search', async () => {
    const found = await client.search(reg.host, 'busy', 25);
    assert.deepEqual(
      found.map((r) => r.name),
      ['busybox', 'other/busybox'],
    );
    assert.deepEqual(found[0], { name: 'busybox', description: '', star_count: 0, is_official: false, is_automated: false });
    assert.deepEqual(
      (await client.search(reg.host, 'busy', 1)).map((r) => r.name),
      ['busybox'],
    );
    assert.deepEqual(await client.search(reg.host, 'zzz', 25), []);
    await rejectsWith(client.search(reg.host, 'busy', 101), 'invalid', 'limit 101 is outside the range of [1, 100]');
  });

  it('login to a registry without auth succeeds', async () => {
    assert.deepEqual(await client.login(`http://${reg.host}`, { username: 'a', password: 'b' }), { status: 'Login Succeeded' });
  });
});

describe('registry client errors without a registry', () => {
  it('words connection refused like dockerd', async () => {
    const port = await freePort();
    const client = new RegistryClient();
    try {
      await rejectsWith(
        client.resolve({ domain: `127.0.0.1:${port}`, path: 'busybox' }, 'latest', amd64),
        'unreachable',
        `Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      );
      await rejectsWith(
        client.login(`127.0.0.1:${port}`, {}),
        'unreachable',
        `Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      );
    } finally {
      client.close();
    }
  });

  it('uses https unless the registry is loopback or insecure', () => {
    const client = new RegistryClient({ insecureRegistries: ['reg.example.com:5000', '10.0.0.0/8'] });
    assert.equal(client.baseUrl('docker.io'), 'https://registry-1.docker.io');
    assert.equal(client.baseUrl('ghcr.io'), 'https://ghcr.io');
    assert.equal(client.baseUrl('localhost:5000'), 'http://localhost:5000');
    assert.equal(client.baseUrl('127.1.2.3:5000'), 'http://127.1.2.3:5000');
    assert.equal(client.baseUrl('[::1]:5000'), 'http://[::1]:5000');
    assert.equal(client.baseUrl('reg.example.com:5000'), 'http://reg.example.com:5000');
    assert.equal(client.baseUrl('reg.example.com'), 'https://reg.example.com');
    assert.equal(client.baseUrl('10.1.2.3:5000'), 'http://10.1.2.3:5000');
    assert.equal(client.baseUrl('https://index.docker.io/v1/'), 'https://registry-1.docker.io');
    client.close();
  });
});

describe('registry client with htpasswd basic auth', () => {
  let reg: Registry;
  let client: RegistryClient;
  const creds = { username: 'berth', password: 's3cret' };
  const img = makeImage('auth');

  before(async () => {
    reg = await startRegistry({ auth: creds });
    client = new RegistryClient();
  });
  after(async () => {
    client?.close();
    await reg?.stop();
  });

  it('refuses anonymous access and works with credentials', async () => {
    const repo = { domain: reg.host, path: 'private/app' };
    await rejectsWith(
      client.pushBlob(repo, img.config.descriptor, () => Readable.from([img.config.data])),
      'unauthorized',
      `Head "http://${reg.host}/v2/private/app/blobs/${img.config.descriptor.digest}": no basic auth credentials`,
    );
    const digest = await pushImage(client, repo, img, 'v1', creds);
    assert.equal(digest, img.manifestDigest);
    await rejectsWith(
      client.resolve(repo, 'v1', amd64),
      'unauthorized',
      `Get "http://${reg.host}/v2/private/app/manifests/v1": no basic auth credentials`,
    );
    await rejectsWith(
      client.resolve(repo, 'v1', amd64, { username: 'berth', password: 'wrong' }),
      'unauthorized',
      'unauthorized: authentication required',
    );
    const resolved = await client.resolve(repo, 'v1', amd64, creds);
    assert.equal(resolved.digest, img.manifestDigest);
    const data = await readAll((await client.fetchBlob(repo, img.layers[1]!.descriptor.digest, creds)).stream);
    assert.equal(sha256(data), img.layers[1]!.descriptor.digest);
  });

  it('login checks credentials like docker login', async () => {
    assert.deepEqual(await client.login(reg.host, creds), { status: 'Login Succeeded' });
    await rejectsWith(
      client.login(reg.host, { username: 'berth', password: 'nope' }),
      'unauthorized',
      `login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`,
    );
    await rejectsWith(client.login(reg.host, {}), 'unauthorized', `Get "http://${reg.host}/v2/": no basic auth credentials`);
  });

  it('searches the catalog with credentials', async () => {
    assert.deepEqual((await client.search(reg.host, 'app', 10, creds)).map((r) => r.name), ['private/app']);
    await rejectsWith(client.search(reg.host, 'app', 10), 'unauthorized', /no basic auth credentials/);
  });
});
