// Issue 9, image-service: attacks on pulls, pushes and the layer store,
// each of which must fail. Registry credentials must not land in Redis, on
// disk or in a log; an anonymous client must not ride on another client's
// authenticated pull; a layer whose content does not match its digests must
// leave nothing behind, and what a crash could leave under a chain ID must
// not be trusted by the next pull.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Berth, HostWatch, Registry, fixturePath, makeImage, startBerth, startRegistry, tarOf, watchHost, sharedScratch } from '../index';
import type { GeneratedImage } from '../index';

const USER = 'mallory-victim';
const PASSWORD = `Pw-${crypto.randomBytes(12).toString('hex')}`;

let berth: Berth;
let watch: HostWatch;
let privateRegistry: Registry;
let openRegistry: Registry;
let slow: SlowProxy;
const tempDirs: string[] = [];

const sha256 = (b: Buffer | string) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');

/**
 * A forwarding proxy in front of a registry that holds blob downloads back
 * for `delayMs`, so a pull stays in flight long enough for a second client
 * to arrive. It forwards every header, Authorization included.
 */
interface SlowProxy { host: string; blobRequests: number; close(): Promise<void> }

async function startSlowProxy(target: Registry, delayMs: number): Promise<SlowProxy> {
  const state = { blobRequests: 0 };
  const server = http.createServer((req, res) => {
    const isBlob = /\/blobs\/sha256:/.test(req.url ?? '') && req.method === 'GET';
    if (isBlob) state.blobRequests++;
    const forward = () => {
      const up = http.request({ host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (isBlob) setTimeout(forward, delayMs); else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    get blobRequests() { return state.blobRequests; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Uploads one blob (monolithic: POST then PUT ?digest=) and returns its digest. */
async function uploadBlob(registry: Registry, repo: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const start = await registry.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202, start.body.toString());
  const location = new URL(start.headers.get('location')!, registry.url);
  location.searchParams.set('digest', digest);
  const put = await registry.request(location.pathname + location.search, {
    method: 'PUT', body: data, headers: { 'Content-Type': 'application/octet-stream' },
  });
  assert.equal(put.status, 201, put.body.toString());
  return digest;
}

async function putManifest(registry: Registry, repo: string, tag: string, manifest: Buffer, mediaType: string): Promise<void> {
  const res = await registry.request(`/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': mediaType } });
  assert.equal(res.status, 201, res.body.toString());
}

/** An image like makeImage's, but whose config claims `diffIds` for its layers. */
function withDiffIds(img: GeneratedImage, diffIds: string[]): { config: Buffer; manifest: Buffer } {
  const cfg = JSON.parse(img.config.data.toString()) as { rootfs: { diff_ids: string[] } };
  cfg.rootfs.diff_ids = diffIds;
  const config = Buffer.from(JSON.stringify(cfg));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: img.manifestMediaType,
    config: { ...img.config.descriptor, digest: sha256(config), size: config.length },
    layers: img.layers.map((l) => l.descriptor),
  }));
  return { config, manifest };
}

async function pushImage(registry: Registry, repo: string, tag: string, img: GeneratedImage, override?: { config: Buffer; manifest: Buffer }): Promise<void> {
  for (const l of img.layers) await uploadBlob(registry, repo, l.data);
  await uploadBlob(registry, repo, override?.config ?? img.config.data);
  await putManifest(registry, repo, tag, override?.manifest ?? img.manifest, img.manifestMediaType);
}

function chainIdsOf(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}

function layersRoot(): string {
  return path.join(berth.dataRoot, 'images', 'layers');
}

/** Names in the layer store that are not a finished layer: temporary or staging directories. */
function unfinishedLayerDirs(): string[] {
  return fs.readdirSync(layersRoot()).filter((n) => !/^[a-f0-9]{64}$/.test(n));
}

/** Every regular file below `dir` (sockets, FIFOs and huge files skipped). */
function filesUnder(dir: string, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Where `secret` shows in `text`: plainly, or inside any base64/base64url
 * run (an X-Registry-Auth header, a Basic authorization, a JSON string).
 */
function secretHits(text: string, secrets: string[]): string[] {
  const hits: string[] = [];
  for (const s of secrets) if (text.includes(s)) hits.push(`plain ${s.slice(0, 6)}…`);
  for (const m of text.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    const decoded = Buffer.from(m[0].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
    for (const s of secrets) if (decoded.includes(s)) hits.push(`base64 ${m[0].slice(0, 12)}…`);
  }
  return hits;
}

function grepTree(roots: string[], secrets: string[]): string[] {
  const found: string[] = [];
  for (const root of roots) {
    for (const f of filesUnder(root)) {
      let size: number;
      try {
        size = fs.statSync(f).size;
      } catch {
        continue;
      }
      if (size > 256 * 1024 * 1024) continue;
      const hits = secretHits(fs.readFileSync(f).toString('latin1'), secrets);
      if (hits.length > 0) found.push(`${f}: ${hits.join(', ')}`);
    }
  }
  return found;
}

/** Makes Berth's Redis write its RDB snapshot now (SAVE), through redis-cli. */
async function redisSave(): Promise<void> {
  const url = berth.env.REDIS_URL;
  const args = ['--no-auth-warning'];
  if (url.startsWith('unix:')) {
    args.push('-s', url.replace(/^unix:(\/\/)?/, ''));
  } else {
    const u = new URL(url);
    args.push('-h', u.hostname, '-p', u.port || '6379');
    if (u.password) args.push('-a', decodeURIComponent(u.password));
  }
  const out = await new Promise<string>((resolve, reject) => {
    execFile('redis-cli', [...args, 'SAVE'], { timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  assert.match(out, /OK/, out);
}

before(async () => {
  privateRegistry = await startRegistry({ auth: { username: USER, password: PASSWORD, type: 'htpasswd' } });
  openRegistry = await startRegistry();
  await privateRegistry.push(await fixturePath('busybox.tar'), 'private/busybox:latest');
  slow = await startSlowProxy(privateRegistry, 3000);
  berth = await startBerth();
  // Other worktrees' runs on this machine write their own files in /tmp.
  watch = watchHost(berth, { allow: sharedScratch });
});

after(async () => {
  await slow?.close();
  await berth?.stop();
  await privateRegistry?.stop();
  await openRegistry?.stop();
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

test('registry credentials of an authenticated pull and push reach no Redis file, data root file or service log', async () => {
  const login = await berth.docker(['login', '-u', USER, '--password-stdin', privateRegistry.host], { input: `${PASSWORD}\n` });
  assert.equal(login.code, 0, login.stderr);
  const pulled = await berth.docker(['pull', `${privateRegistry.host}/private/busybox`]);
  assert.equal(pulled.code, 0, pulled.stderr);
  const tagged = await berth.docker(['tag', `${privateRegistry.host}/private/busybox`, `${privateRegistry.host}/private/copy:v1`]);
  assert.equal(tagged.code, 0, tagged.stderr);
  const pushed = await berth.docker(['push', `${privateRegistry.host}/private/copy:v1`]);
  assert.equal(pushed.code, 0, pushed.stderr);
  // A failing pull too: its error travels back through Redis.
  const missing = await berth.docker(['pull', `${privateRegistry.host}/private/nothing-here`]);
  assert.notEqual(missing.code, 0);
  // appendfsync everysec: give Redis the time to write what it was sent.
  await new Promise((r) => setTimeout(r, 2500));
  const secrets = [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];
  const redisFiles = filesUnder(path.join(berth.dataRoot, 'redis'));
  assert.ok(redisFiles.length > 0, 'Redis keeps its append-only file under the data root');
  assert.deepEqual(grepTree([berth.dataRoot, berth.runRoot], secrets), [], 'credentials at rest');
  assert.deepEqual(secretHits(berth.logs(), secrets), [], 'credentials in the service logs');
});

test('an anonymous pull of a private image does not join an authenticated pull in flight', async () => {
  // A fresh private image: its blobs must be downloaded, slowly, through the proxy.
  const img = makeImage(`slow-${crypto.randomBytes(4).toString('hex')}`);
  await pushImage(privateRegistry, 'private/slow', 'v1', img);
  // The authenticated client is logged in to the slow proxy's address.
  const login = await berth.docker(['login', '-u', USER, '--password-stdin', slow.host], { input: `${PASSWORD}\n` });
  assert.equal(login.code, 0, login.stderr);
  const image = `${slow.host}/private/slow:v1`;
  const before = slow.blobRequests;
  const authed = berth.spawnDocker(['pull', image]);
  let authedOut = '';
  let authedCode: number | undefined;
  authed.stdout!.on('data', (c: Buffer) => { authedOut += c.toString(); });
  authed.stderr!.on('data', (c: Buffer) => { authedOut += c.toString(); });
  const authedExit = new Promise<number>((r) => authed.once('exit', (code) => { authedCode = code ?? -1; r(authedCode); }));
  const deadline = Date.now() + 60_000;
  while (slow.blobRequests === before) {
    assert.equal(authedCode, undefined, `the authenticated pull ended early: ${authedOut}`);
    assert.ok(Date.now() < deadline, 'the authenticated pull reached the blobs');
    await new Promise((r) => setTimeout(r, 50));
  }
  // The job is in Redis now: a snapshot taken at this moment holds its payload.
  await redisSave();
  assert.deepEqual(grepTree([path.join(berth.dataRoot, 'redis')], [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')]), [], 'credentials in a snapshot of an in-flight job');
  const anonConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-anon-config-'));
  tempDirs.push(anonConfig);
  const started = Date.now();
  const anon = await berth.docker(['--config', anonConfig, 'pull', image]);
  const anonTook = Date.now() - started;
  assert.notEqual(anon.code, 0, `the anonymous pull must fail on its own, got: ${anon.stdout}`);
  assert.match(anon.stderr, /unauthorized|pull access denied|no basic auth credentials/);
  assert.ok(anonTook < 2500, `the anonymous pull failed at once, not with the authenticated job (${anonTook} ms)`);
  assert.equal(await authedExit, 0, authedOut);
  assert.equal(authedCode, 0);
});

test('a registry layer whose content does not match its diffID: the pull fails, nothing is left, an honest pull works', async () => {
  const img = makeImage(`tamper-${crypto.randomBytes(4).toString('hex')}`);
  const honestDiffIds = (JSON.parse(img.config.data.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  const lying = [honestDiffIds[0], sha256(tarOf('other.txt', Buffer.from('not what the blob holds\n')))];
  await pushImage(openRegistry, 'tamper/diffid', 'bad', img, withDiffIds(img, lying));
  const bad = await berth.docker(['pull', `${openRegistry.host}/tamper/diffid:bad`]);
  assert.notEqual(bad.code, 0, bad.stdout);
  const lyingChain = chainIdsOf(lying)[1];
  assert.equal(fs.existsSync(path.join(layersRoot(), lyingChain.slice(7))), false, 'nothing under the claimed chain ID');
  assert.deepEqual(unfinishedLayerDirs(), [], 'no temporary directory left');

  await pushImage(openRegistry, 'tamper/diffid', 'good', img);
  const good = await berth.docker(['pull', `${openRegistry.host}/tamper/diffid:good`]);
  assert.equal(good.code, 0, good.stderr);
  const honestChain = chainIdsOf(honestDiffIds)[1];
  assert.ok(fs.existsSync(path.join(layersRoot(), honestChain.slice(7))));
});

test('a blob the registry serves changed on disk (same files, other gzip): the pull fails, nothing is left, an honest pull works', async () => {
  const img = makeImage(`regzip-${crypto.randomBytes(4).toString('hex')}`);
  await pushImage(openRegistry, 'tamper/blob', 'v1', img);
  // The same tar, gzipped differently: the diffID still matches, the blob digest does not.
  const layer = img.layers[1];
  const blobFile = path.join(openRegistry.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', layer.descriptor.digest.slice(7, 9), layer.descriptor.digest.slice(7), 'data');
  const original = fs.readFileSync(blobFile);
  const regz = gzipSync(gunzipSync(original), { level: 1 });
  assert.notEqual(sha256(regz), layer.descriptor.digest);
  fs.writeFileSync(blobFile, regz);
  const diffIds = (JSON.parse(img.config.data.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  const chain = chainIdsOf(diffIds)[1];
  const bad = await berth.docker(['pull', `${openRegistry.host}/tamper/blob:v1`]);
  assert.notEqual(bad.code, 0, bad.stdout);
  assert.equal(fs.existsSync(path.join(layersRoot(), chain.slice(7))), false, 'nothing under the chain ID');
  assert.equal(fs.existsSync(path.join(berth.dataRoot, 'images', 'blobs', 'sha256', layer.descriptor.digest.slice(7))), false, 'no blob stored');
  assert.deepEqual(unfinishedLayerDirs(), [], 'no temporary directory left');

  fs.writeFileSync(blobFile, original);
  const good = await berth.docker(['pull', `${openRegistry.host}/tamper/blob:v1`]);
  assert.equal(good.code, 0, good.stderr);
  assert.ok(fs.existsSync(path.join(layersRoot(), chain.slice(7))));
});

test('what a crash left under a chain ID is not trusted: the next pull puts the verified content there', async () => {
  const img = makeImage(`crash-${crypto.randomBytes(4).toString('hex')}`);
  await pushImage(openRegistry, 'tamper/crash', 'v1', img);
  const diffIds = (JSON.parse(img.config.data.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  const chains = chainIdsOf(diffIds);
  // A directory under the chain ID with no layer record: what a crash
  // between a rename and the check of its content would leave.
  for (const c of chains) {
    const dir = path.join(layersRoot(), c.slice(7));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'planted'), 'unverified\n');
  }
  const pulled = await berth.docker(['pull', `${openRegistry.host}/tamper/crash:v1`]);
  assert.equal(pulled.code, 0, pulled.stderr);
  for (const c of chains) {
    const dir = path.join(layersRoot(), c.slice(7));
    assert.equal(fs.existsSync(path.join(dir, 'planted')), false, `unverified content kept under ${c}`);
  }
  assert.match(fs.readFileSync(path.join(layersRoot(), chains[0].slice(7), 'hello.txt'), 'utf8'), /^hello crash-/);
  assert.deepEqual(unfinishedLayerDirs(), []);
});

test('the attacks left nothing on the host and no service grew by more than 50 MB', async () => {
  const c = await watch.settledChanges();
  assert.deepEqual(c.newEntries, [], 'new host entries');
  assert.deepEqual(c.newMounts, [], 'new mounts');
  for (const [name, growth] of Object.entries(c.rssGrowth)) {
    assert.ok((growth ?? 0) <= 50 * 1024 * 1024, `${name} grew by ${Math.round((growth ?? 0) / 1048576)} MB`);
  }
});
