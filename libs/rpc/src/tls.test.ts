import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { ChannelCredentials, Metadata, ServerUnaryCall, credentials, status } from '@grpc/grpc-js';
import { health, image } from '@berth/proto';
import { createClient } from './client';
import { RunningServer, startGrpcServer, unary } from './server';

// The services trust whoever calls them (they create containers as root).
// On TCP they are configured like every service, by BERTH_GRPC_TLS_CERT,
// _KEY and _CA: every caller must show a certificate from that CA, and the
// files are re-read so certificates rotate without a restart. The attackers
// below are plain grpc-js clients, not Berth's own client code.

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-rpc-tls-'));
const TLS_VARS = ['BERTH_GRPC_TLS_CERT', 'BERTH_GRPC_TLS_KEY', 'BERTH_GRPC_TLS_CA', 'BERTH_GRPC_TLS_RELOAD', 'BERTH_GRPC_INSECURE'];
const savedEnv = Object.fromEntries(TLS_VARS.map((k) => [k, process.env[k]]));

function genCerts(out: string, ...names: string[]): void {
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'gen-certs.sh'), out, ...names], { stdio: 'ignore' });
}

const read = (p: string) => fs.readFileSync(p);
/** What the server's files are; rotation overwrites them in place. */
const serverFiles = { cert: path.join(dir, 'live', 'server.pem'), key: path.join(dir, 'live', 'server-key.pem'), ca: path.join(dir, 'live', 'ca.pem') };

function install(fromDir: string, name: string, to: { cert: string; key: string; ca: string }): void {
  // As a Secret update or a careful operator does it: each file by rename.
  for (const [src, dst] of [[`${name}-key.pem`, to.key], [`${name}.pem`, to.cert], ['ca.pem', to.ca]] as const) {
    fs.copyFileSync(path.join(fromDir, src), `${dst}.new`);
    fs.renameSync(`${dst}.new`, dst);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function fingerprint(pem: Buffer): string {
  return new crypto.X509Certificate(pem).fingerprint256;
}

/** One health check over a fresh channel with the given credentials. */
function check(address: string, creds: ChannelCredentials, timeoutMs = 3000): Promise<number> {
  const client = new health.HealthClient(address, creds, { 'grpc.enable_retries': 0 });
  return new Promise<number>((resolve, reject) => {
    client.check({ service: '' }, new Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    });
  });
}

const refused = (p: Promise<unknown>) => assert.rejects(p, (err: { code: number }) => err.code === status.UNAVAILABLE || err.code === status.DEADLINE_EXCEEDED);

/** The certificate the server presents to a new TLS connection. */
function presented(port: number, client: { cert: Buffer; key: Buffer; ca: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ...client, ALPNProtocols: ['h2'], rejectUnauthorized: false }, () => {
      const cert = s.getPeerCertificate();
      s.destroy();
      resolve(cert.fingerprint256);
    });
    s.once('error', reject);
  });
}

async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let server: RunningServer;
let port: number;
let address: string;

before(async () => {
  genCerts(path.join(dir, 'ca1'), 'server', 'client');
  genCerts(path.join(dir, 'rogue'), 'client');
  fs.mkdirSync(path.join(dir, 'live'));
  install(path.join(dir, 'ca1'), 'server', serverFiles);
  process.env.BERTH_GRPC_TLS_CERT = serverFiles.cert;
  process.env.BERTH_GRPC_TLS_KEY = serverFiles.key;
  process.env.BERTH_GRPC_TLS_CA = serverFiles.ca;
  process.env.BERTH_GRPC_TLS_RELOAD = '0.1';
  delete process.env.BERTH_GRPC_INSECURE;
  port = await freePort();
  address = `127.0.0.1:${port}`;
  // The handler answers with the caller's certificate, as the server saw it.
  const implementation = {
    inspect: unary(async (_req: image.ImageName, call: ServerUnaryCall<image.ImageName, image.Image>) => {
      const peer = call.getAuthContext().sslPeerCertificate;
      return { id: peer?.fingerprint256 ?? 'none', repoTags: [], repoDigests: [], parent: '', configJson: '{}', size: 0, created: 0, containers: -1, lastTagTime: '', layers: [] };
    }),
  } satisfies Partial<image.ImageServiceServer>;
  server = await startGrpcServer(address, [{ definition: image.ImageServiceService, implementation }]);
});

after(async () => {
  await server?.stop();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

const ca1 = (f: string) => read(path.join(dir, 'ca1', f));

test('a plaintext client is refused', async () => {
  await refused(check(address, credentials.createInsecure()));
});

test('a TLS client without a certificate is refused', async () => {
  await refused(check(address, credentials.createSsl(ca1('ca.pem'))));
});

test('a client with a certificate from another CA is refused', async () => {
  const rogue = (f: string) => read(path.join(dir, 'rogue', f));
  await refused(check(address, credentials.createSsl(ca1('ca.pem'), rogue('client-key.pem'), rogue('client.pem'))));
});

test('a client with a certificate from the CA is served, and so is Berth\'s own client', async () => {
  assert.equal(await check(address, credentials.createSsl(ca1('ca.pem'), ca1('client-key.pem'), ca1('client.pem'))), health.HealthCheckResponse_ServingStatus.SERVING);
  // Berth's client takes the same variables: here the server's own pair, which is also a client certificate.
  const { raw, call } = createClient(image.ImageServiceClient, address);
  try {
    assert.equal((await call.inspect({ name: 'x' }, { timeoutMs: 5000 })).id, fingerprint(read(serverFiles.cert)));
  } finally {
    raw.close();
  }
});

test('rotated certificate files are used for new connections without a restart', async () => {
  const before1 = await presented(port, { cert: ca1('client.pem'), key: ca1('client-key.pem'), ca: ca1('ca.pem') });
  assert.equal(before1, fingerprint(read(serverFiles.cert)));

  // New certificates from the same CA (the script reuses the CA in its directory).
  genCerts(path.join(dir, 'ca1'), 'server', 'client');
  install(path.join(dir, 'ca1'), 'server', serverFiles);
  const renewed = fingerprint(ca1('server.pem'));
  assert.notEqual(renewed, before1);
  await eventually('the server presents its new certificate', async () =>
    (await presented(port, { cert: ca1('client.pem'), key: ca1('client-key.pem'), ca: ca1('ca.pem') })) === renewed);
  assert.equal(await check(address, credentials.createSsl(ca1('ca.pem'), ca1('client-key.pem'), ca1('client.pem'))), health.HealthCheckResponse_ServingStatus.SERVING);

  // A new CA altogether: callers from the old one are refused from then on,
  // callers from the new one served, by the same server process.
  genCerts(path.join(dir, 'ca2'), 'server', 'client');
  const ca2 = (f: string) => read(path.join(dir, 'ca2', f));
  install(path.join(dir, 'ca2'), 'server', serverFiles);
  await eventually('a client of the new CA is served', async () =>
    (await check(address, credentials.createSsl(ca2('ca.pem'), ca2('client-key.pem'), ca2('client.pem')), 1000)) === health.HealthCheckResponse_ServingStatus.SERVING);
  await refused(check(address, credentials.createSsl(ca1('ca.pem'), ca1('client-key.pem'), ca1('client.pem'))));

  // Berth's client re-reads its files too: a client set up before the
  // rotation (old CA) presents the new certificate on its next connection.
  const clientFiles = { cert: path.join(dir, 'live', 'client.pem'), key: path.join(dir, 'live', 'client-key.pem'), ca: path.join(dir, 'live', 'client-ca.pem') };
  install(path.join(dir, 'ca1'), 'client', clientFiles);
  const saved = { cert: process.env.BERTH_GRPC_TLS_CERT, key: process.env.BERTH_GRPC_TLS_KEY, ca: process.env.BERTH_GRPC_TLS_CA };
  process.env.BERTH_GRPC_TLS_CERT = clientFiles.cert;
  process.env.BERTH_GRPC_TLS_KEY = clientFiles.key;
  process.env.BERTH_GRPC_TLS_CA = clientFiles.ca;
  const { raw, call } = createClient(image.ImageServiceClient, address);
  process.env.BERTH_GRPC_TLS_CERT = saved.cert;
  process.env.BERTH_GRPC_TLS_KEY = saved.key;
  process.env.BERTH_GRPC_TLS_CA = saved.ca;
  try {
    await refused(call.inspect({ name: 'x' }, { timeoutMs: 1500 }));
    install(path.join(dir, 'ca2'), 'client', clientFiles);
    const expected = fingerprint(read(clientFiles.cert));
    await eventually('the client connects with its new certificate', async () =>
      (await call.inspect({ name: 'x' }, { timeoutMs: 1000 })).id === expected);
  } finally {
    raw.close();
  }
});

test('a TCP address without TLS refuses to start, unless BERTH_GRPC_INSECURE=1, which warns', async () => {
  const saved = { cert: process.env.BERTH_GRPC_TLS_CERT, key: process.env.BERTH_GRPC_TLS_KEY, ca: process.env.BERTH_GRPC_TLS_CA };
  delete process.env.BERTH_GRPC_TLS_CERT;
  delete process.env.BERTH_GRPC_TLS_KEY;
  delete process.env.BERTH_GRPC_TLS_CA;
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn(msg: string) { warnings.push(msg); }, child() { return logger; } };
  try {
    const plainPort = await freePort();
    let started: RunningServer | undefined;
    await assert.rejects(
      startGrpcServer(`127.0.0.1:${plainPort}`, [], logger as never).then((s) => { started = s; }),
      /without TLS/,
    );
    await started?.stop();
    // Nothing listens: the refusal came before the bind.
    await refused(check(`127.0.0.1:${plainPort}`, credentials.createInsecure(), 1000));

    process.env.BERTH_GRPC_INSECURE = '1';
    const insecure = await startGrpcServer(`127.0.0.1:${plainPort}`, [], logger as never);
    try {
      assert.equal(await check(`127.0.0.1:${plainPort}`, credentials.createInsecure()), health.HealthCheckResponse_ServingStatus.SERVING);
      assert.ok(warnings.some((w) => /without TLS/.test(w)), `a warning at start, got ${JSON.stringify(warnings)}`);
    } finally {
      await insecure.stop();
    }
  } finally {
    delete process.env.BERTH_GRPC_INSECURE;
    process.env.BERTH_GRPC_TLS_CERT = saved.cert;
    process.env.BERTH_GRPC_TLS_KEY = saved.key;
    process.env.BERTH_GRPC_TLS_CA = saved.ca;
  }
});

test('a unix socket needs no certificate', async () => {
  const sock = `unix:${path.join(dir, 'plain.sock')}`;
  const s = await startGrpcServer(sock, []);
  try {
    assert.equal(await check(sock, credentials.createInsecure()), health.HealthCheckResponse_ServingStatus.SERVING);
  } finally {
    await s.stop();
  }
});
