import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Berth, startBerth, dockerOk, dockerFails } from '../index';
import { fixturePath, tarBuffer, TarEntry } from '../fixtures';

let berth: Berth;
let work: string;

before(async () => {
  berth = await startBerth();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-img-'));
});

after(async () => {
  await berth?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const ok = (args: string[], input?: string | Buffer): Promise<string> => dockerOk(berth, args, input);

const fails = (args: string[]): Promise<string> => dockerFails(berth, args);

const sha = (b: Buffer) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');

/** A one-image docker-archive whose single layer is `layer` (a tar, maybe gzip). */
function archiveWithLayer(layer: Buffer, diffId: string, repoTag: string): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created: '2024-01-01T00:00:00Z' }] }));
  const cfgName = `${sha(config).slice(7)}.json`;
  const manifest = Buffer.from(JSON.stringify([{ Config: cfgName, RepoTags: [repoTag], Layers: ['l/layer.tar'] }]));
  return tarBuffer([
    { name: cfgName, type: 'file', content: config },
    { name: 'l/layer.tar', type: 'file', content: layer },
    { name: 'manifest.json', type: 'file', content: manifest },
  ] as TarEntry[]);
}

test('docker load of a docker-archive, then images, inspect and history', async () => {
  const out = await ok(['load', '-i', await fixturePath('busybox.tar')]);
  assert.match(out, /Loaded image: busybox:latest/);
  const list = await ok(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
  assert.match(list, /^busybox:latest [0-9a-f]{12}$/m);
  const [img] = JSON.parse(await ok(['image', 'inspect', 'busybox']));
  assert.match(img.Id, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(img.RepoTags, ['busybox:latest']);
  assert.equal(img.Os, 'linux');
  assert.equal(img.Architecture, 'amd64');
  assert.deepEqual(img.Config.Cmd, ['sh']);
  assert.equal(img.RootFS.Type, 'layers');
  assert.equal(img.RootFS.Layers.length, 1);
  assert.ok(img.Size > 500_000, 'size counts the busybox binary');
  const history = await ok(['history', '--format', '{{.ID}} {{.Size}}', 'busybox']);
  assert.match(history.split('\n')[0], /^[0-9a-f]{12} /);
  // a second load is idempotent
  assert.match(await ok(['load', '-i', await fixturePath('busybox.tar')]), /Loaded image: busybox:latest/);
  assert.equal((await ok(['images', '-q'])).trim().split('\n').length, 1);
});

test('multi-layer images with whiteouts and OCI layouts load', async () => {
  assert.match(await ok(['load', '-i', await fixturePath('multilayer.tar')]), /Loaded image: multilayer:latest/);
  const [img] = JSON.parse(await ok(['image', 'inspect', 'multilayer:latest']));
  assert.equal(img.RootFS.Layers.length, 3);
  await ok(['rmi', 'busybox']);
  assert.match(await ok(['load', '-i', await fixturePath('busybox-oci.tar')]), /Loaded image/);
  const ids = await ok(['images', '--format', '{{.Repository}}']);
  assert.match(ids, /multilayer/);
});

test('tag, images filters and digests, rmi untag vs delete, not found', async () => {
  await ok(['load', '-i', await fixturePath('busybox.tar')]);
  await ok(['tag', 'busybox', 'example.com/team/app:1.0']);
  await ok(['tag', 'busybox:latest', 'mybox']);
  const refs = await ok(['images', '--filter', 'reference=busybox', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.equal(refs.trim(), 'busybox:latest');
  const app = await ok(['images', 'example.com/team/app', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.equal(app.trim(), 'example.com/team/app:1.0');
  assert.match(await ok(['images', '--digests']), /DIGEST/);
  const untag = await ok(['rmi', 'mybox']);
  assert.match(untag, /Untagged: mybox:latest/);
  assert.doesNotMatch(untag, /Deleted/);
  assert.match(await fails(['rmi', 'nope']), /No such image: nope/);
  assert.match(await fails(['image', 'inspect', 'nope:1']), /No such image: nope:1/);
  const id = (await ok(['images', '-q', 'busybox'])).trim();
  assert.match(await fails(['rmi', id]), /must be forced.*referenced in multiple repositories/);
  const forced = await ok(['rmi', '-f', id]);
  assert.match(forced, /Untagged: busybox:latest/);
  assert.match(forced, /Untagged: example.com\/team\/app:1.0/);
  assert.match(forced, /Deleted: sha256:/);
  assert.doesNotMatch(await ok(['images', '--format', '{{.Repository}}']), /busybox/);
});

test('save two images and load them into an empty data-root with the same IDs', async () => {
  await ok(['load', '-i', await fixturePath('images.tar')]);
  const before = (await ok(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).trim().split('\n').sort();
  const saved = path.join(work, 'saved.tar');
  await ok(['save', '-o', saved, 'busybox:latest', 'multilayer:latest']);
  const other = await startBerth({ tcp: false });
  try {
    const res = await other.docker(['load', '-i', saved]);
    assert.equal(res.code, 0, res.stderr);
    const after = (await other.docker(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout.trim().split('\n').sort();
    assert.deepEqual(after.filter((l) => /busybox|multilayer/.test(l)), before.filter((l) => /busybox|multilayer/.test(l)));
  } finally {
    await other.stop();
  }
  // the archive carries both the classic and the OCI layout
  const names = (await import('../fixtures')).readTar;
  const entries = (await names(saved)).map((e: { name: string }) => e.name);
  for (const n of ['manifest.json', 'index.json', 'oci-layout', 'repositories']) assert.ok(entries.includes(n), n);
});

test('docker import with changes produces a runnable config', async () => {
  const rootfs = await tarBuffer([{ name: 'hello.txt', type: 'file', content: Buffer.from('hi\n') }] as TarEntry[]);
  const file = path.join(work, 'rootfs.tar');
  fs.writeFileSync(file, rootfs);
  const out = await ok(['import', '-c', 'CMD ["sh"]', '-c', 'ENV A=b', '-m', 'imported', file, 'imported:v1']);
  assert.match(out.trim(), /^sha256:[0-9a-f]{64}$/);
  const [img] = JSON.parse(await ok(['image', 'inspect', 'imported:v1']));
  assert.deepEqual(img.Config.Cmd, ['sh']);
  assert.deepEqual(img.Config.Env, ['A=b']);
  assert.equal(img.Comment, 'imported');
  const piped = await ok(['import', '-', 'piped'], rootfs);
  assert.match(piped.trim(), /^sha256:/);
  assert.match(await fails(['import', '-c', 'RUN echo', file]), /run is not a valid change command/i);
});

test('image prune removes dangling images; -a removes unused ones', async () => {
  await ok(['load', '-i', await fixturePath('busybox.tar')]);
  const dangling = await ok(['import', '-'], await tarBuffer([{ name: 'x', type: 'file', content: Buffer.from('x') }] as TarEntry[]));
  const pruned = await ok(['image', 'prune', '-f']);
  assert.match(pruned, new RegExp(dangling.trim().slice(7, 19)));
  assert.match(await ok(['images']), /busybox/);
  await ok(['image', 'prune', '-af']);
  assert.equal((await ok(['images', '-q'])).trim(), '');
});

test('malicious or broken archives fail cleanly and leave nothing in the store', async () => {
  const layersDir = path.join(berth.dataRoot, 'images', 'layers');
  const before = fs.readdirSync(layersDir).sort();
  const evilEntries: TarEntry[][] = [
    [{ name: '../evil', type: 'file', content: Buffer.from('x') }],
    [{ name: 'a/../../evil2', type: 'file', content: Buffer.from('x') }],
    [{ name: 'link', type: 'symlink', linkname: '/' }, { name: 'link/tmp/berth-evil-through-link', type: 'file', content: Buffer.from('x') }],
  ] as TarEntry[][];
  for (const entries of evilEntries) {
    const layer = await tarBuffer(entries, false);
    const archive = await archiveWithLayer(layer, sha(layer), 'evil:latest');
    const file = path.join(work, 'evil.tar');
    fs.writeFileSync(file, archive);
    const res = await berth.docker(['load', '-i', file]);
    assert.notEqual(res.code, 0, `load of ${entries.map((e) => e.name).join(',')} must fail`);
  }
  assert.ok(!fs.existsSync('/tmp/berth-evil-through-link'));
  assert.ok(!fs.existsSync(path.join(berth.dataRoot, 'images', 'evil')));
  // a truncated gzip layer
  const good = await tarBuffer([{ name: 'f', type: 'file', content: crypto.randomBytes(100_000) }] as TarEntry[]);
  const gz = zlib.gzipSync(good);
  const truncated = await archiveWithLayer(gz.subarray(0, gz.length / 2), sha(good), 'trunc:latest');
  fs.writeFileSync(path.join(work, 'trunc.tar'), truncated);
  assert.notEqual((await berth.docker(['load', '-i', path.join(work, 'trunc.tar')])).code, 0);
  assert.deepEqual(fs.readdirSync(layersDir).sort(), before, 'no layer directory was left behind');
  assert.doesNotMatch(await ok(['images', '--format', '{{.Repository}}']), /evil|trunc/);
});
