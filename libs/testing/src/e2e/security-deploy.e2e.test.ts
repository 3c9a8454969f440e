import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { ChannelCredentials, Metadata, credentials } from '@grpc/grpc-js';
import { health } from '@berth/proto';
import { SERVICE_NAMES, ServiceName } from '@berth/config';
import { REDIS_ACL_RULES } from '@berth/jobs';
import { Berth, HostWatch, dockerOk, fixturePath, freePort, startBerth, watchHost } from '../index';
import { Registry, startRegistry } from '../registry';

// Berth as the deploy files run it when its services are apart: every
// service on a TCP address (loopback here) with mutual TLS, Redis with a
// password (an ACL user, the default user off) over TLS. The Docker CLI
// works through all of it; a gRPC client without Berth's certificate, or
// with one from another CA, gets nowhere on any service, and Redis answers
// nobody without the password.

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
// Under /tmp/berth-*: the host watch leaves Berth's temp roots alone.
const dir = fs.mkdtempSync('/tmp/berth-secdeploy-');
const certs = path.join(dir, 'certs');
const REDIS_PASSWORD = `pw-${process.pid}-${Date.now()}`;

let berth: Berth;
let watch: HostWatch;
let redis: ChildProcess | undefined;
let redisPort = 0;
let registry: Registry | undefined;
const addresses = {} as Record<ServiceName, string>;

function genCerts(out: string, ...names: string[]): void {
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'gen-certs.sh'), out, ...names], { stdio: 'ignore' });
}

async function startRedis(): Promise<void> {
  fs.writeFileSync(path.join(dir, 'users.acl'), `user default off\nuser berth on >${REDIS_PASSWORD} ${REDIS_ACL_RULES}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'redis.password'), `${REDIS_PASSWORD}\n`, { mode: 0o600 });
  redisPort = await freePort();
  redis = spawn('redis-server', [
    '--port', '0', '--bind', '127.0.0.1', '--tls-port', String(redisPort),
    '--tls-cert-file', path.join(certs, 'redis.pem'), '--tls-key-file', path.join(certs, 'redis-key.pem'),
    '--tls-ca-cert-file', path.join(certs, 'ca.pem'), '--tls-auth-clients', 'no',
    '--aclfile', path.join(dir, 'users.acl'), '--dir', dir, '--save', '', '--appendonly', 'no',
  ], { stdio: 'ignore' });
  // Up once it answers (NOAUTH is an answer).
  const deadline = Date.now() + 10_000;
  while (!(await redisSays('PING').then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One command over TLS without a password: Redis's first reply line. */
function redisSays(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: redisPort, ca: fs.readFileSync(path.join(certs, 'ca.pem')) }, () => s.write(`${command}\r\n`));
    s.setEncoding('utf8');
    s.once('data', (d: string) => { s.destroy(); resolve(d.split('\r\n')[0]); });
    s.once('error', reject);
    s.setTimeout(3000, () => s.destroy(new Error('timeout')));
  });
}

before(async () => {
  genCerts(certs, 'berth', 'redis');
  genCerts(path.join(dir, 'rogue'), 'berth');
  await startRedis();
  // Before the host watch starts: the registry's files are the test's own.
  registry = await startRegistry();
  for (const name of SERVICE_NAMES) addresses[name] = `127.0.0.1:${await freePort()}`;
  berth = await startBerth({
    env: {
      BERTH_VOLUME_ADDR: addresses.volume,
      BERTH_IMAGE_ADDR: addresses.image,
      BERTH_CONTAINER_ADDR: addresses.container,
      BERTH_NETWORK_ADDR: addresses.network,
      BERTH_GRPC_TLS_CERT: path.join(certs, 'berth.pem'),
      BERTH_GRPC_TLS_KEY: path.join(certs, 'berth-key.pem'),
      BERTH_GRPC_TLS_CA: path.join(certs, 'ca.pem'),
      REDIS_URL: `rediss://berth@127.0.0.1:${redisPort}`,
      BERTH_REDIS_PASSWORD_FILE: path.join(dir, 'redis.password'),
      BERTH_REDIS_TLS_CA: path.join(certs, 'ca.pem'),
    },
  });
  watch = watchHost(berth);
});

after(async () => {
  try {
    await berth?.stop();
    await registry?.stop();
  } finally {
    if (redis?.pid !== undefined && redis.exitCode === null) {
      const gone = new Promise((r) => redis!.once('exit', r));
      process.kill(redis.pid, 'SIGTERM');
      await gone;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function check(address: string, creds: ChannelCredentials): Promise<number> {
  const client = new health.HealthClient(address, creds, { 'grpc.enable_retries': 0 });
  return new Promise<number>((resolve, reject) => {
    client.check({ service: '' }, new Metadata(), { deadline: new Date(Date.now() + 3000) }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    });
  });
}

const pem = (d: string, f: string) => fs.readFileSync(path.join(d, f));

test('docker run --rm busybox echo hi, through services on TCP with mutual TLS and Redis with a password', async () => {
  const load = await berth.docker(['load', '-i', await fixturePath('busybox.tar')]);
  assert.equal(load.code, 0, load.stderr);
  assert.equal(await dockerOk(berth, ['run', '--rm', 'busybox', 'echo', 'hi']), 'hi\n');
  // The events went through the password-protected Redis.
  const events = await dockerOk(berth, ['events', '--since', '0', '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'type=container', '--format', '{{.Action}}']);
  assert.match(events, /^start$/m);
  assert.match(events, /^destroy$/m);
  for (const name of SERVICE_NAMES) {
    assert.match(berth.logs(), new RegExp(`"grpc listening".*"address":"${addresses[name].replace(/\./g, '\\.')}".*"tls":true`), `${name} serves TLS`);
  }
});

test('push and pull go through the job queues on the password-protected Redis', async () => {
  const ref = `${registry!.host}/secdeploy/busybox:1`;
  await dockerOk(berth, ['tag', 'busybox', ref]);
  const pushed = await dockerOk(berth, ['push', ref]);
  assert.match(pushed, /digest: sha256:/);
  await dockerOk(berth, ['rmi', ref]);
  const pulled = await dockerOk(berth, ['pull', ref]);
  assert.match(pulled, /Status: (Downloaded newer image|Image is up to date) for/);
});

test('a gRPC client without Berth\'s certificate reaches no service', async () => {
  const rogue = path.join(dir, 'rogue');
  for (const name of SERVICE_NAMES) {
    const address = addresses[name];
    const refused = (creds: ChannelCredentials, what: string) => assert.rejects(check(address, creds), (err: { code?: number }) => typeof err.code === 'number' && err.code !== 0, `${name} at ${address}: ${what} must be refused`);
    await refused(credentials.createInsecure(), 'plaintext');
    await refused(credentials.createSsl(pem(certs, 'ca.pem')), 'TLS without a client certificate');
    await refused(credentials.createSsl(pem(certs, 'ca.pem'), pem(rogue, 'berth-key.pem'), pem(rogue, 'berth.pem')), 'a certificate from another CA');
    // The same check with Berth's own certificate is served: the refusals above are about the certificate.
    assert.equal(await check(address, credentials.createSsl(pem(certs, 'ca.pem'), pem(certs, 'berth-key.pem'), pem(certs, 'berth.pem'))), health.HealthCheckResponse_ServingStatus.SERVING);
  }
});

test('Redis answers nothing without the password', async () => {
  assert.match(await redisSays('PING'), /^-NOAUTH/);
  assert.match(await redisSays('AUTH default nothing'), /^-WRONGPASS/);
});

test('nothing appeared on the host and no service grew by more than 50 MB', async () => {
  const changes = await watch.settledChanges();
  assert.deepEqual(changes.newEntries, []);
  assert.deepEqual(changes.newMounts, []);
  for (const [name, growth] of Object.entries(changes.rssGrowth)) {
    assert.ok(growth! <= 50 * 1024 * 1024, `${name} grew by ${Math.round(growth! / 1048576)} MB`);
  }
  assert.equal(Object.keys(changes.rssGrowth).length, 5, 'every component still runs');
});
