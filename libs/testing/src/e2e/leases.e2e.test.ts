import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails, fixturePath } from '../index';

// Layers have owners: a container holds a lease on its image's layers from
// create to remove, so rmi -f and prune may delete image records but never
// the layers a container stands on.

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[], input?: string): Promise<string> => dockerOk(berth, args, input);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);

function layerDirs(): string[] {
  const dir = path.join(berth.dataRoot, 'images', 'layers');
  return fs.readdirSync(dir).filter((n) => /^[0-9a-f]{64}$/.test(n));
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An image (untagged unless `repo`) whose one layer is its own: a container's root file system with a marker file, exported and imported. */
async function importedImage(content: string, repo = ''): Promise<string> {
  const c = (await ok(['run', '-d', 'busybox', 'sh', '-c', `echo ${content} > /marker`])).trim();
  await ok(['wait', c]);
  const file = path.join(berth.root, `export-${content}.tar`);
  await ok(['export', '-o', file, c]);
  await ok(['rm', c]);
  const res = await ok(['import', '-c', 'CMD ["sh"]', file, ...(repo ? [repo] : [])]);
  fs.rmSync(file);
  return res.trim();
}

test('rmi -f of a stopped container\'s image by ID: the container still starts; its layers go with it', async () => {
  const [image] = JSON.parse(await ok(['image', 'inspect', 'busybox']));
  const c = (await ok(['create', 'busybox', 'echo', 'still here'])).trim();
  const rmi = await ok(['rmi', '-f', image.Id]);
  assert.match(rmi, /Untagged: busybox:latest/);
  assert.match(rmi, new RegExp(`Deleted: ${image.Id}`));
  assert.equal((await ok(['images', '-q'])).trim(), '', 'the image record is gone, as with dockerd');
  assert.equal(await ok(['start', '-a', c]), 'still here\n');
  assert.ok(layerDirs().length > 0);
  await ok(['rm', c]);
  await until('the released layers to be deleted', () => layerDirs().length === 0);
  await ok(['load', '-i', await fixturePath('busybox.tar')]);
});

test('image prune -a racing 20 concurrent creates never leaves a container without its layers', async (t) => {
  const images: string[] = [];
  for (let i = 0; i < 4; i++) images.push(await importedImage(`race${i}`));
  // The prune starts first; the creates are spread over the time it takes, so some land before it and some after.
  const prune = berth.docker(['image', 'prune', '-a', '-f']);
  const creates = Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 25))
    .then(() => berth.request('POST', '/v1.41/containers/create', { Image: images[i % images.length], Cmd: ['echo', `c${i}`] })));
  const [results, pruned] = await Promise.all([Promise.all(creates), prune]);
  assert.equal(pruned.code, 0, pruned.stderr);
  const created: { id: string; n: number }[] = [];
  results.forEach((res, n) => {
    if (res.status === 201) created.push({ id: (JSON.parse(res.body.toString()) as { Id: string }).Id, n });
    else assert.match(res.body.toString(), /No such image/, `create ${n}: ${res.status} ${res.body.toString()}`);
  });
  t.diagnostic(`${created.length} of 20 creates won the race against prune`);
  for (const { id, n } of created) {
    assert.equal(await ok(['start', '-a', id]), `c${n}\n`, `container ${n} starts on its layers`);
    await ok(['rm', id]);
  }
  await ok(['image', 'prune', '-a', '-f']);
  await ok(['load', '-i', await fixturePath('busybox.tar')]);
});

test('a container removed while image-service is down gives its layers back when it returns', async () => {
  const image = await importedImage('lonely', 'lonely:1');
  const before = layerDirs().length;
  const c = (await ok(['create', 'lonely:1'])).trim();
  await ok(['rmi', '-f', image]);
  assert.equal(layerDirs().length, before, 'the container\'s lease keeps the layer');
  await berth.killService('image');
  await ok(['rm', c]);
  await berth.startService('image');
  await until('the lease to be released by a reconcile', () => layerDirs().length === before - 1);
  assert.equal(await ok(['run', '--rm', 'busybox', 'echo', 'fine']), 'fine\n');
});

test('a running container\'s image cannot be deleted, even forced; a stopped one\'s only forced', async () => {
  const [image] = JSON.parse(await ok(['image', 'inspect', 'busybox']));
  const c = (await ok(['run', '-d', 'busybox', 'sleep', '60'])).trim();
  // The lease's running flag follows the start within a quarter of a second.
  await new Promise((r) => setTimeout(r, 800));
  assert.match(await fails(['rmi', '-f', image.Id]), new RegExp(`conflict: unable to delete ${image.Id.slice(7, 19)} \\(cannot be forced\\) - image is being used by running container ${c.slice(0, 12)}`));
  assert.match(await fails(['rmi', 'busybox']), new RegExp(`unable to remove repository reference "busybox" \\(must force\\) - container ${c.slice(0, 12)} is using its referenced image`));
  await ok(['kill', c]);
  await new Promise((r) => setTimeout(r, 800));
  assert.match(await fails(['rmi', image.Id]), new RegExp(`\\(must be forced\\) - image is being used by stopped container ${c.slice(0, 12)}`));
  await ok(['rm', c]);
  assert.equal(JSON.parse(await ok(['image', 'inspect', 'busybox']))[0].Id, image.Id, 'nothing was deleted');
});

test('create --platform: the host\'s is taken, another is refused in dockerd\'s words', async () => {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const other = arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  const c = (await ok(['create', '--platform', `linux/${arch}`, 'busybox', 'true'])).trim();
  assert.equal((await ok(['inspect', '--format', '{{.Platform}}', c])).trim(), 'linux');
  await ok(['rm', c]);
  const res = await berth.request('POST', `/v1.45/containers/create?platform=${encodeURIComponent(other)}`, { Image: 'busybox', Cmd: ['true'] });
  assert.equal(res.status, 404);
  assert.equal(JSON.parse(res.body.toString()).message, `image with reference busybox:latest was found but its platform (linux/${arch}) does not match the specified platform (${other})`);
  // The CLI takes the 404 as "pull it for that platform", which cannot succeed here.
  await fails(['create', '--platform', other, 'busybox', 'true']);
  assert.equal((await ok(['ps', '-aq'])).trim(), '', 'no container was made');
});
