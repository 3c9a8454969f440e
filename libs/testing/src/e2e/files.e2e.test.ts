import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails } from '../index';

let berth: Berth;
let work: string;

before(async () => {
  berth = await startBerthWithBusybox();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-files-e2e-'));
});

after(async () => {
  await berth?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);
const here = (...p: string[]): string => path.join(work, ...p);
const tarNames = (buf: Buffer): string[] => execFileSync('tar', ['-t'], { input: buf }).toString().trim().split('\n');

/** A container that made itself some files and links to copy around, running until removed. */
async function runBox(name: string, extra: string[] = []): Promise<string> {
  // Idempotent: a restarted container runs it again.
  const script = 'mkdir -p /tmp/d/e; echo hi > /tmp/d/e/f; ln -sfn /etc /tmp/etclink; ln -sfn ../../../.. /tmp/up; touch /tmp/ready; exec sleep 1000';
  const id = (await ok(['run', '-d', '--name', name, ...extra, 'busybox', 'sh', '-c', script])).trim();
  for (let i = 0; i < 100; i++) {
    if ((await berth.docker(['exec', name, 'test', '-e', '/tmp/ready'])).code === 0) return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not get ready`);
}

describe('docker cp', () => {
  let id: string;
  before(async () => {
    id = await runBox('cpbox');
  });
  after(async () => {
    await berth.docker(['rm', '-f', 'cpbox']);
  });

  test('a file out of the container: /etc/hostname is the container\'s own', async () => {
    await ok(['cp', 'cpbox:/etc/hostname', here('hostname')]);
    assert.equal(fs.readFileSync(here('hostname'), 'utf8'), `${id.slice(0, 12)}\n`);
    await ok(['cp', 'cpbox:/tmp/d/e/f', here('renamed')]);
    assert.equal(fs.readFileSync(here('renamed'), 'utf8'), 'hi\n');
  });

  test('a directory out, and its contents only with /.', async () => {
    await ok(['cp', 'cpbox:/tmp/d', here('out-d')]);
    assert.equal(fs.readFileSync(here('out-d/e/f'), 'utf8'), 'hi\n');
    fs.mkdirSync(here('into'));
    await ok(['cp', 'cpbox:/tmp/d', here('into')]);
    assert.ok(fs.existsSync(here('into/d/e/f')));
    fs.mkdirSync(here('contents'));
    await ok(['cp', 'cpbox:/tmp/d/.', here('contents')]);
    assert.ok(fs.existsSync(here('contents/e/f')));
  });

  test('a directory and a file into the container', async () => {
    fs.mkdirSync(here('src/dir/sub'), { recursive: true });
    fs.writeFileSync(here('src/dir/sub/file'), 'local\n');
    fs.writeFileSync(here('src/one'), 'one\n');
    await ok(['cp', here('src/dir'), 'cpbox:/tmp/']);
    assert.equal(await ok(['exec', 'cpbox', 'cat', '/tmp/dir/sub/file']), 'local\n');
    await ok(['cp', here('src/one'), 'cpbox:/tmp/named']);
    assert.equal(await ok(['exec', 'cpbox', 'cat', '/tmp/named']), 'one\n');
    await ok(['cp', here('src/one'), 'cpbox:/tmp/d/']);
    assert.equal(await ok(['exec', 'cpbox', 'cat', '/tmp/d/one']), 'one\n');
  });

  test('through symlinks, resolved inside the container and never out of it', async () => {
    await ok(['cp', 'cpbox:/tmp/etclink/hostname', here('via-link')]);
    assert.equal(fs.readFileSync(here('via-link'), 'utf8'), `${id.slice(0, 12)}\n`);
    await ok(['cp', 'cpbox:/tmp/etclink', here('the-link')]);
    assert.equal(fs.readlinkSync(here('the-link')), '/etc', 'without -L the link itself is copied');
    await ok(['cp', '-L', 'cpbox:/tmp/etclink', here('followed')]);
    assert.ok(fs.statSync(here('followed')).isDirectory());
    assert.ok(fs.existsSync(here('followed/passwd')));
    // ../../../.. from /tmp climbs to the container's root, not the host's.
    await ok(['cp', 'cpbox:/tmp/up/etc/passwd', here('passwd')]);
    assert.match(fs.readFileSync(here('passwd'), 'utf8'), /^www-data:x:33:33:www-data:\/var\/www:\/bin\/false$/m);
    fs.writeFileSync(here('src/escaped'), 'inside\n');
    await ok(['cp', here('src/escaped'), 'cpbox:/tmp/up/']);
    assert.equal(await ok(['exec', 'cpbox', 'cat', '/escaped']), 'inside\n');
    assert.ok(!fs.existsSync('/escaped'), 'nothing written on the host');
    await ok(['cp', here('src/escaped'), 'cpbox:/tmp/etclink/']);
    assert.equal(await ok(['exec', 'cpbox', 'cat', '/etc/escaped']), 'inside\n');
  });

  test('errors in dockerd\'s words', async () => {
    assert.match(await fails(['cp', 'cpbox:/nonexistent', here('x')]), /Error response from daemon: Could not find the file \/nonexistent in container cpbox/);
    assert.match(await fails(['cp', 'cpbox:/etc/passwd/', here('x')]), /lstat \/etc\/passwd\/: not a directory/);
    assert.match(await fails(['cp', here('src/one'), 'cpbox:/nonexistent/dir/']), /no such directory|Could not find the file/);
    assert.match(await fails(['cp', 'nosuch:/etc/passwd', here('x')]), /No such container: nosuch/);
  });

  test('the API: HEAD stat header, GET tar (gzip when asked), PUT, path required', async () => {
    const head = await berth.request('HEAD', '/containers/cpbox/archive?path=/tmp/etclink');
    assert.equal(head.status, 200);
    const stat = JSON.parse(Buffer.from(String(head.headers['x-docker-container-path-stat']), 'base64').toString());
    assert.deepEqual(Object.keys(stat), ['name', 'size', 'mode', 'mtime', 'linkTarget']);
    assert.equal(stat.name, 'etclink');
    assert.equal(stat.mode, 2 ** 27 + 0o777);
    assert.equal(stat.linkTarget, '/etc');
    assert.equal((await berth.request('HEAD', '/containers/cpbox/archive?path=/tmp/d')).status, 200);
    assert.equal((await berth.request('HEAD', '/containers/cpbox/archive?path=/nope')).status, 404);

    const get = await berth.request('GET', '/containers/cpbox/archive?path=/tmp/d');
    assert.equal(get.headers['content-type'], 'application/x-tar');
    assert.deepEqual(tarNames(get.raw), ['d/', 'd/e/', 'd/e/f', 'd/one']);
    const gz = await berth.request('GET', '/containers/cpbox/archive?path=/tmp/d/e/f', undefined, { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(tarNames(zlib.gunzipSync(gz.raw)), ['f']);
    const root = await berth.request('GET', '/containers/cpbox/archive?path=/');
    assert.ok(tarNames(root.raw).includes('/tmp/d/e/f'), 'the root is archived with absolute names, as dockerd does');

    const tar = execFileSync('tar', ['-C', here('src'), '-cf', '-', 'one']);
    const put = await berth.request('PUT', '/containers/cpbox/archive?path=/root', tar, { 'Content-Type': 'application/x-tar' });
    assert.equal(put.status, 200, put.body);
    assert.equal(await ok(['exec', 'cpbox', 'cat', '/root/one']), 'one\n');
    const notDir = await berth.request('PUT', '/containers/cpbox/archive?path=/etc/passwd', tar, { 'Content-Type': 'application/x-tar' });
    assert.equal(notDir.status, 400);
    assert.equal(notDir.json<{ message: string }>().message, 'extraction point is not a directory');
    const noPath = await berth.request('GET', '/containers/cpbox/archive');
    assert.equal(noPath.status, 400);
    assert.equal(noPath.json<{ message: string }>().message, 'bad parameter: path cannot be empty');
  });

  test('cp into and out of a stopped container', async () => {
    await ok(['stop', '-t', '1', 'cpbox']);
    await ok(['cp', 'cpbox:/tmp/d/e/f', here('stopped-f')]);
    assert.equal(fs.readFileSync(here('stopped-f'), 'utf8'), 'hi\n');
    fs.writeFileSync(here('afterstop'), 'one\n');
    await ok(['cp', here('afterstop'), 'cpbox:/tmp/afterstop']);
    await ok(['start', 'cpbox']);
    for (let i = 0; i < 100 && (await berth.docker(['exec', 'cpbox', 'test', '-e', '/tmp/ready'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await ok(['exec', 'cpbox', 'cat', '/tmp/afterstop']), 'one\n');
  });
});

describe('docker cp with volumes and read-only filesystems', () => {
  after(async () => {
    await berth.docker(['rm', '-f', 'volbox', 'robox']);
    await berth.docker(['volume', 'rm', 'filesvol']);
  });

  test('paths inside a volume are the volume\'s files; a read-only one refuses writes', async () => {
    fs.mkdirSync(here('bind'));
    fs.writeFileSync(here('bind/b'), 'bound\n');
    await runBox('volbox', ['-v', 'filesvol:/data', '-v', `${here('bind')}:/bind:ro`]);
    await ok(['exec', 'volbox', 'sh', '-c', 'echo v > /data/f']);
    await ok(['cp', 'volbox:/data/f', here('vol-f')]);
    assert.equal(fs.readFileSync(here('vol-f'), 'utf8'), 'v\n');
    await ok(['cp', 'volbox:/bind/b', here('bind-b')]);
    assert.equal(fs.readFileSync(here('bind-b'), 'utf8'), 'bound\n');
    fs.writeFileSync(here('to-vol'), 'to volume\n');
    await ok(['cp', here('to-vol'), 'volbox:/data/']);
    assert.equal(await ok(['exec', 'volbox', 'cat', '/data/to-vol']), 'to volume\n');
    assert.match(await fails(['cp', here('to-vol'), 'volbox:/bind/']), /mounted volume is marked read-only/);
    // The whole tree, volumes included, as the container sees it (the CLI refuses to write a link that climbs out).
    await ok(['exec', 'volbox', 'rm', '/tmp/up']);
    await ok(['cp', 'volbox:/', here('whole')]);
    assert.equal(fs.readFileSync(here('whole/data/f'), 'utf8'), 'v\n');
    assert.equal(fs.readFileSync(here('whole/bind/b'), 'utf8'), 'bound\n');
  });

  test('a --read-only container takes nothing outside its volumes', async () => {
    await ok(['create', '--name', 'robox', '--read-only', 'busybox']);
    assert.match(await fails(['cp', here('to-vol'), 'robox:/tmp/']), /container rootfs is marked read-only/);
    await ok(['cp', 'robox:/etc/passwd', here('ro-passwd')]);
  });
});

describe('docker export and docker diff', () => {
  after(async () => {
    await berth.docker(['rm', '-f', 'diffbox', 'fresh']);
  });

  test('diff lists what changed, as A/C/D lines; export is the whole tree', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['run', '-d', '--name', 'diffbox', 'busybox', 'sh', '-c', 'touch /new; rm /bin/ls; rm -rf /var/spool; mkdir /var/spool; touch /var/spool/c; chmod 600 /etc/passwd; touch /ready; exec sleep 1000']);
    for (let i = 0; i < 100 && (await berth.docker(['exec', 'diffbox', 'test', '-e', '/ready'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    const diff = (await ok(['diff', 'diffbox'])).trim().split('\n').sort();
    assert.deepEqual(diff, [
      'A /new', 'A /ready', 'A /var/spool/c', 'C /bin', 'C /etc', 'C /etc/passwd', 'C /var', 'C /var/spool', 'D /bin/ls', 'D /var/spool/mail',
    ].sort());

    await ok(['export', '-o', here('export.tar'), 'diffbox']);
    const names = execFileSync('tar', ['-tf', here('export.tar')]).toString().split('\n');
    for (const want of ['bin/', 'bin/busybox', 'etc/passwd', 'new', 'var/spool/c']) assert.ok(names.includes(want), want);
    assert.ok(!names.includes('bin/ls') && !names.includes('var/spool/mail/'));
    const res = await berth.request('GET', '/containers/diffbox/export');
    assert.equal(res.headers['content-type'], 'application/octet-stream');

    const events = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=diffbox', '--format', '{{.Action}}']);
    assert.match(events, /^export$/m);
  });

  test('no changes: null from the API, nothing from the CLI; unknown containers', async () => {
    await ok(['create', '--name', 'fresh', 'busybox']);
    const res = await berth.request('GET', '/containers/fresh/changes');
    assert.equal(res.status, 200);
    assert.equal(res.body.trim(), 'null');
    assert.equal(await ok(['diff', 'fresh']), '');
    assert.match(await fails(['diff', 'nosuch']), /No such container: nosuch/);
    assert.match(await fails(['export', 'nosuch']), /No such container: nosuch/);
  });

  test('cp logs archive-path and extract-to-dir events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['start', 'fresh']).catch(() => undefined);
    await ok(['cp', 'fresh:/etc/passwd', here('ev-passwd')]);
    await ok(['cp', here('ev-passwd'), 'fresh:/tmp/']);
    const events = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=fresh', '--format', '{{.Action}}']);
    assert.match(events, /^archive-path$/m);
    assert.match(events, /^extract-to-dir$/m);
  });
});
