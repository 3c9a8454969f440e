import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerth, dockerOk } from '../index';
import { fixturePath } from '../fixtures';
import { Registry, startRegistry } from '../registry';

let berth: Berth;
let registry: Registry;

before(async () => {
  registry = await startRegistry();
  await registry.push(await fixturePath('busybox.tar'), 'busybox:latest');
  await registry.push(await fixturePath('multilayer.tar'), 'tools/multilayer:1');
  berth = await startBerth();
});

after(async () => {
  await berth?.stop();
  await registry?.stop();
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);

test('docker pull from a local registry shows progress and the digest; a second pull is up to date', async () => {
  const out = await ok(['pull', `${registry.host}/busybox`]);
  assert.match(out, /Using default tag: latest/);
  assert.match(out, /latest: Pulling from busybox/);
  assert.match(out, /Pull complete/);
  assert.match(out, /Digest: sha256:[0-9a-f]{64}/);
  assert.match(out, new RegExp(`Status: Downloaded newer image for ${registry.host}/busybox:latest`));
  const again = await ok(['pull', `${registry.host}/busybox`]);
  assert.match(again, new RegExp(`Status: Image is up to date for ${registry.host}/busybox:latest`));
  const [img] = JSON.parse(await ok(['image', 'inspect', `${registry.host}/busybox`]));
  assert.equal(img.RepoDigests.length, 1);
  assert.match(img.RepoDigests[0], new RegExp(`^${registry.host}/busybox@sha256:`));
  const digests = await ok(['images', '--digests', '--format', '{{.Digest}}', `${registry.host}/busybox`]);
  assert.match(digests.trim(), /^sha256:[0-9a-f]{64}$/);
});

test('pull of a multi-layer image and pull by digest', async () => {
  const out = await ok(['pull', `${registry.host}/tools/multilayer:1`]);
  assert.match(out, /Already exists|Pull complete/);
  const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(out)![1];
  await ok(['rmi', `${registry.host}/tools/multilayer:1`]);
  const byDigest = await ok(['pull', `${registry.host}/tools/multilayer@${digest}`]);
  assert.match(byDigest, new RegExp(digest));
});

test('errors read like dockerd: unknown tag, unreachable registry', async () => {
  const missing = await berth.docker(['pull', `${registry.host}/busybox:nope`]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, new RegExp(`manifest for ${registry.host}/busybox:nope not found: manifest unknown`));
  const refused = await berth.docker(['pull', '127.0.0.1:1/busybox']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /connection refused/);
});

test('concurrent pulls of one image share the work and both succeed', async () => {
  await berth.docker(['rmi', '-f', `${registry.host}/busybox`]);
  const [a, b] = await Promise.all([berth.docker(['pull', `${registry.host}/busybox`]), berth.docker(['pull', `${registry.host}/busybox`])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal((await ok(['images', '-q', `${registry.host}/busybox`])).trim().split('\n').length, 1);
});

test('tag + push, then pull into an empty data-root gives the same image ID', async () => {
  await ok(['load', '-i', await fixturePath('multilayer.tar')]);
  const id = (await ok(['image', 'inspect', '--format', '{{.Id}}', 'multilayer:latest'])).trim();
  await ok(['tag', 'multilayer:latest', `${registry.host}/pushed/multi:v2`]);
  const out = await ok(['push', `${registry.host}/pushed/multi:v2`]);
  assert.match(out, new RegExp(`The push refers to repository \\[${registry.host}/pushed/multi\\]`));
  assert.match(out, /v2: digest: sha256:[0-9a-f]{64} size: \d+/);
  const again = await ok(['push', `${registry.host}/pushed/multi:v2`]);
  assert.match(again, /Layer already exists/);
  const other = await startBerth({ tcp: false });
  try {
    const pulled = await other.docker(['pull', `${registry.host}/pushed/multi:v2`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const otherId = (await other.docker(['image', 'inspect', '--format', '{{.Id}}', `${registry.host}/pushed/multi:v2`])).stdout.trim();
    assert.equal(otherId, id);
  } finally {
    await other.stop();
  }
});

test('docker search lists the local registry repositories', async () => {
  const out = await ok(['search', `${registry.host}/busy`]);
  assert.match(out, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL/m);
  assert.match(out, /^busybox\s/m);
  assert.doesNotMatch(out, /multilayer/);
});

test('docker search honours --limit and --filter', async () => {
  const limited = await ok(['search', '--limit', '1', '--format', '{{.Name}}', `${registry.host}/`]);
  assert.equal(limited.trim().split('\n').length, 1);
  const official = await ok(['search', '--filter', 'is-official=true', '--format', '{{.Name}}', `${registry.host}/busy`]);
  assert.equal(official.trim(), '', 'catalog results are never official');
  const bad = await berth.docker(['search', '--filter', 'color=blue', `${registry.host}/busy`]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid filter 'color'/);
});

test('a push to another repository of the same registry mounts the layers', async () => {
  await ok(['tag', `${registry.host}/pushed/multi:v2`, `${registry.host}/copy/multi:v1`]);
  const out = await ok(['push', `${registry.host}/copy/multi:v1`]);
  assert.match(out, /: Mounted from [a-z/]+$/m);
  assert.doesNotMatch(out, /: Pushed$/m, 'no layer is uploaded again');
});

test('GET /distribution/{name}/json describes the manifest in the registry', async () => {
  const res = await berth.request('GET', `/distribution/${registry.host}/pushed/multi:v2/json`);
  assert.equal(res.status, 200, res.body);
  const body = res.json<{ Descriptor: { digest: string; mediaType: string; size: number }; Platforms: unknown[] }>();
  assert.match(body.Descriptor.digest, /^sha256:[0-9a-f]{64}$/);
  assert.ok(body.Descriptor.size > 0);
  assert.ok(body.Platforms.length > 0);
  const missing = await berth.request('GET', `/distribution/${registry.host}/pushed/multi:nope/json`);
  assert.equal(missing.status, 404);
});
