/*
 * Escapes from a malicious image or a running container (issue 9): each
 * test performs the attack against a real Berth and fails if it worked.
 * The hostile images are made here (a rootfs tar `docker import`ed with
 * `--change`), the hostile container program is a static C binary built
 * from fixtures/rename-exchange.c. At the end the host is checked for new
 * entries and mounts, and the services for memory growth.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUSYBOX_BINARY, Berth, dockerOk, startBerthWithBusybox, watchHost, type HostWatch } from '../index';

let berth: Berth;
let work: string;
let watch: HostWatch;
/** Host paths an attack would create if it worked (checked and cleaned up at the end). */
const escapeTargets: string[] = [];

before(async () => {
  berth = await startBerthWithBusybox();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-sec-e2e-'));
  watch = watchHost(berth, { allow: (p) => p === work });
});

after(async () => {
  await berth?.stop();
  for (const p of escapeTargets) fs.rmSync(p, { recursive: true, force: true });
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const ok = (args: string[], input?: string | Buffer): Promise<string> => dockerOk(berth, args, input);
const unique = (): string => crypto.randomBytes(6).toString('hex');

/**
 * A busybox image with hostile extras, imported from a tar made here:
 * `links` are symlinks (path in the image → target), `changes` the
 * `--change` instructions.
 */
async function hostileImage(name: string, links: Record<string, string>, changes: string[], files: Record<string, string> = {}): Promise<string> {
  const dir = fs.mkdtempSync(path.join(work, 'rootfs-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.copyFileSync(BUSYBOX_BINARY, path.join(dir, 'bin', 'busybox'));
  fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'ls', 'cat', 'echo', 'sleep', 'mkdir', 'touch', 'ln', 'pwd', 'test', 'true']) {
    fs.symlinkSync('busybox', path.join(dir, 'bin', applet));
  }
  fs.mkdirSync(path.join(dir, 'etc'));
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n');
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), content);
  }
  for (const [p, target] of Object.entries(links)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.symlinkSync(target, path.join(dir, p));
  }
  const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
  fs.rmSync(dir, { recursive: true, force: true });
  await ok(['import', ...changes.flatMap((c) => ['--change', c]), '-', name], tar);
  return name;
}

/** A host directory outside Berth's roots holding a marker file: what an escape would reach. */
function hostDirWithMarker(): { dir: string; marker: string; secret: string } {
  const dir = fs.mkdtempSync(path.join(work, 'host-'));
  const secret = `host-secret-${unique()}`;
  fs.writeFileSync(path.join(dir, 'marker'), secret);
  return { dir, marker: path.join(dir, 'marker'), secret };
}

test('VOLUME copy-up does not follow the image symlink onto the host (anonymous and named volumes)', async () => {
  const host = hostDirWithMarker();
  const image = await hostileImage(`sec-copyup-${unique()}`, { data: host.dir }, ['VOLUME /data']);
  // Anonymous volume from the image's VOLUME.
  const anon = await berth.docker(['run', '--rm', image, 'sh', '-c', 'ls -a /data; cat /data/marker 2>/dev/null; true']);
  assert.equal(anon.code, 0, anon.stderr);
  assert.ok(!anon.stdout.includes(host.secret), `the host marker came into the anonymous volume: ${anon.stdout}`);
  assert.ok(!anon.stdout.includes('marker'), `the host marker came into the anonymous volume: ${anon.stdout}`);
  // A new named volume at the same place.
  const vol = `sec-copyup-${unique()}`;
  const named = await berth.docker(['run', '--rm', '-v', `${vol}:/data`, image, 'sh', '-c', 'ls -a /data; true']);
  assert.equal(named.code, 0, named.stderr);
  assert.ok(!named.stdout.includes('marker'), `the host marker came into the named volume: ${named.stdout}`);
  const mountpoint = (await ok(['volume', 'inspect', '-f', '{{.Mountpoint}}', vol])).trim();
  assert.ok(!fs.existsSync(path.join(mountpoint, 'marker')), 'the host marker is in the volume directory');
  // The host directory itself is untouched.
  assert.deepEqual(fs.readdirSync(host.dir), ['marker']);
  await ok(['volume', 'rm', vol]);
});

test('VOLUME copy-up through an intermediate image symlink stays inside the image', async () => {
  const host = hostDirWithMarker();
  // /srv/app -> host dir, VOLUME /srv/app/sub: sub would be read from the host's dir.
  fs.mkdirSync(path.join(host.dir, 'sub'));
  fs.writeFileSync(path.join(host.dir, 'sub', 'marker'), host.secret);
  const image = await hostileImage(`sec-copyup2-${unique()}`, { 'srv/app': host.dir }, ['VOLUME /srv/app/sub']);
  const res = await berth.docker(['run', '--rm', image, 'sh', '-c', 'ls -a /srv/app/sub; true']);
  assert.equal(res.code, 0, res.stderr);
  assert.ok(!res.stdout.includes('marker'), `the host marker came into the volume: ${res.stdout}`);
  assert.deepEqual(fs.readdirSync(path.join(host.dir, 'sub')), ['marker']);
});

test('benign copy-up still brings the image content with owners and modes', async () => {
  const image = await hostileImage(`sec-benign-${unique()}`, {}, ['VOLUME /data'], { 'data/hello': 'from the image\n' });
  const out = await ok(['run', '--rm', image, 'sh', '-c', 'cat /data/hello; ls -ln /data/hello']);
  assert.match(out, /from the image/);
  assert.match(out, /-rw-r--r--\s+1\s+0\s+0\s/);
});

test('WORKDIR with .. does not create a directory on the host', async () => {
  const name = `berth-sec-wd-${unique()}`;
  const hostPath = path.join('/tmp', name);
  escapeTargets.push(hostPath);
  const image = await hostileImage(`sec-wd-${unique()}`, {}, [`WORKDIR /${'../'.repeat(30)}tmp/${name}`, 'USER 65534']);
  const res = await berth.docker(['run', '--rm', image, 'pwd']);
  assert.ok(!fs.existsSync(hostPath), `WORKDIR created ${hostPath} on the host`);
  // dockerd cleans the path and creates it inside the container.
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout.trim(), `/tmp/${name}`);
  // The same given with -w.
  const res2 = await berth.docker(['run', '--rm', '-w', `/${'../'.repeat(30)}tmp/${name}-w`, 'busybox', 'pwd']);
  escapeTargets.push(`${hostPath}-w`);
  assert.ok(!fs.existsSync(`${hostPath}-w`), `-w created ${hostPath}-w on the host`);
  assert.equal(res2.code, 0, res2.stderr);
  assert.equal(res2.stdout.trim(), `/tmp/${name}-w`);
});

test('WORKDIR through an image symlink does not create a directory on the host', async () => {
  const host = fs.mkdtempSync(path.join(work, 'wd-target-'));
  const image = await hostileImage(`sec-wdlink-${unique()}`, { w: host }, ['WORKDIR /w/sub/deeper', 'USER 65534']);
  const res = await berth.docker(['run', '--rm', image, 'pwd']);
  assert.deepEqual(fs.readdirSync(host), [], `WORKDIR created ${fs.readdirSync(host).join(', ')} in the host directory ${host}`);
  assert.equal(res.code, 0, res.stderr);
  // As with dockerd: runc enters /w/sub/deeper inside the root, where the link leads (getcwd names the real path).
  assert.equal(res.stdout.trim(), `${host}/sub/deeper`);
});

test('a relative WorkingDir is refused with dockerd wording', async () => {
  const res = await berth.docker(['create', '-w', 'rel/dir', 'busybox', 'true']);
  assert.notEqual(res.code, 0);
  assert.match(res.stderr, /the working directory 'rel\/dir' is invalid, it needs to be an absolute path/);
});

test('docker cp in and out while the container swaps a directory with a symlink to /', async () => {
  const src = path.resolve(__dirname, '../../src/fixtures/rename-exchange.c');
  const bin = path.join(work, 'rename-exchange');
  execFileSync('gcc', ['-static', '-O2', '-o', bin, src]);
  const host = hostDirWithMarker();
  const name = `sec-race-${unique()}`;
  // Inside the container /w/d holds a file at the marker's host path, with other content.
  const script = [
    `mkdir -p /w/d${host.dir}`,
    `echo inside > /w/d${host.marker}`,
    'ln -s / /w/l',
    'touch /w/ready',
    'exec /rename-exchange /w/d /w/l',
  ].join('; ');
  await ok(['create', '--name', name, 'busybox', 'sh', '-c', script]);
  await ok(['cp', bin, `${name}:/rename-exchange`]);
  await ok(['start', name]);
  for (let i = 0; i < 100 && (await berth.docker(['exec', name, 'test', '-e', '/w/ready'])).code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const inName = `berth-sec-cp-${unique()}`;
  const payload = path.join(work, inName);
  fs.writeFileSync(payload, 'from docker cp\n');
  escapeTargets.push(path.join('/', inName));
  const outDir = path.join(work, 'out');
  fs.mkdirSync(outDir);
  const leaked: string[] = [];
  const landed: string[] = [];
  for (let i = 0; i < 100; i++) {
    await berth.docker(['cp', payload, `${name}:/w/d/`]);
    if (fs.existsSync(path.join('/', inName))) landed.push(`try ${i}`);
    const out = path.join(outDir, `marker-${i}`);
    const res = await berth.docker(['cp', `${name}:/w/d${host.marker}`, out]);
    if (res.code === 0 && fs.existsSync(out) && fs.readFileSync(out, 'utf8').includes(host.secret)) leaked.push(`try ${i}`);
  }
  assert.equal((await berth.docker(['inspect', '-f', '{{.State.Running}}', name])).stdout.trim(), 'true', 'the swapping program stopped');
  await ok(['rm', '-f', name]);
  assert.deepEqual(landed, [], `docker cp wrote ${inName} onto the host's /`);
  assert.deepEqual(leaked, [], 'docker cp returned the host marker');
});

test('docker export and diff of a running container swapping a directory with a symlink to / does not pack host files', async () => {
  const src = path.resolve(__dirname, '../../src/fixtures/rename-exchange.c');
  const bin = path.join(work, 'rename-exchange-export');
  execFileSync('gcc', ['-static', '-O2', '-o', bin, src]);
  const name = `sec-export-${unique()}`;
  await ok(['create', '--name', name, 'busybox', 'sh', '-c', 'mkdir -p /w/d; echo inside > /w/d/f; ln -s / /w/l; exec /rename-exchange /w/d /w/l']);
  await ok(['cp', bin, `${name}:/rename-exchange`]);
  await ok(['start', name]);
  const hostOnly = fs.readdirSync('/').filter((n) => !['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'w', 'rename-exchange', 'usr', 'var', 'root', 'home', 'lib', 'lib64', 'sbin', 'run', 'mnt', 'opt', 'srv', 'media', 'boot', 'data', 'lost+found'].includes(n));
  for (let i = 0; i < 5; i++) {
    const tarFile = path.join(work, `export-${i}.tar`);
    // A walk that went out onto the host would pack all of it: cut it short.
    const res = await berth.docker(['export', '-o', tarFile, name], { timeoutMs: 30_000 });
    if (res.code !== 0) {
      assert.ok(res.signal === null, 'docker export ran for 30 s: it was packing the host');
      continue;
    }
    const names = execFileSync('tar', ['-tf', tarFile], { maxBuffer: 256 * 1024 * 1024 }).toString().split('\n');
    fs.rmSync(tarFile, { force: true });
    // Below w/l or w/d only the container's own file may appear, never the host's top-level entries.
    const inside = names.filter((n) => /^w\/[dl]\/./.test(n)).map((n) => n.replace(/^w\/[dl]\//, '').split('/')[0]!);
    const foreign = inside.filter((n) => n !== 'f' && n !== '' && hostOnly.includes(n));
    assert.deepEqual(foreign, [], `export packed host entries under /w: ${foreign.slice(0, 5).join(', ')}`);
    const big = names.filter((n) => /^w\/[dl]\/(etc|usr|proc)\//.test(n));
    assert.deepEqual(big.slice(0, 5), [], 'export packed the host tree under /w');
  }
  // docker diff walks the same changing tree.
  for (let i = 0; i < 10; i++) {
    const res = await berth.docker(['diff', name], { timeoutMs: 30_000 });
    assert.ok(res.signal === null, 'docker diff ran for 30 s: it was walking the host');
    const foreign = res.stdout.split('\n').filter((l) => /^[ACD] \/w\/[dl]\/(etc|usr|proc|sys|root|home|boot|var)(\/|$)/.test(l));
    assert.deepEqual(foreign.slice(0, 5), [], 'docker diff listed host entries under /w');
  }
  await ok(['rm', '-f', name]);
});

test('nothing appeared on the host and the services did not grow', async () => {
  const c = await watch.settledChanges();
  // /tmp and /var/tmp are shared with whatever else runs on the machine (other test runs): there only
  // this file's attack names count (each attack also checks its own target). Everywhere else, anything.
  const shared = (p: string): boolean => /^\/(var\/)?tmp\/[^/]+$/.test(p) && !p.includes('berth-sec');
  const entries = c.newEntries.filter((p) => !shared(p));
  assert.deepEqual(entries, [], `new host entries: ${entries.join(', ')}`);
  assert.deepEqual(c.newMounts, [], `new host mounts: ${c.newMounts.join(', ')}`);
  for (const [svc, growth] of Object.entries(c.rssGrowth)) {
    assert.ok((growth ?? 0) <= 50 * 1024 * 1024, `${svc} grew by ${Math.round((growth ?? 0) / 1048576)} MB`);
  }
});
