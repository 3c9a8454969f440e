import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CertificateFiles } from './certificate-files';
import { channelCredentialsFor, serverCredentialsFor } from './transport';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-certfiles-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function gen(out: string, ...names: string[]): void {
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'gen-certs.sh'), out, ...names], { stdio: 'ignore' });
}

const fp = (file: string) => new crypto.X509Certificate(fs.readFileSync(file)).fingerprint256;

test('a rotation half done (a key that is not the certificate\'s) is not taken; the finished one is, and listeners hear of it', async () => {
  gen(path.join(dir, 'a'), 'svc', 'other');
  const live = { cert: path.join(dir, 'svc.pem'), key: path.join(dir, 'svc-key.pem'), ca: path.join(dir, 'ca.pem') };
  fs.copyFileSync(path.join(dir, 'a', 'svc.pem'), live.cert);
  fs.copyFileSync(path.join(dir, 'a', 'svc-key.pem'), live.key);
  fs.copyFileSync(path.join(dir, 'a', 'ca.pem'), live.ca);
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn(m: string, f?: Record<string, unknown>) { warnings.push(`${m} ${JSON.stringify(f)}`); }, child() { return logger; } };
  const files = new CertificateFiles(live, 0, logger as never);
  const seen: string[] = [];
  files.addIdentityCertificateListener((u) => { if (u) seen.push(new crypto.X509Certificate(u.certificate).fingerprint256); });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, [fp(live.cert)], 'the current pair, once listened to');

  fs.copyFileSync(path.join(dir, 'a', 'other-key.pem'), live.key);
  assert.equal(files.reload(), false);
  assert.equal(files.reload(), false);
  assert.equal(warnings.length, 1, `one warning for one problem: ${warnings}`);
  assert.match(warnings[0], /is not the key of/);
  assert.equal(files.fingerprint, seen[0], 'the previous pair stays in use');

  fs.copyFileSync(path.join(dir, 'a', 'other.pem'), live.cert);
  assert.equal(files.reload(), true);
  assert.equal(files.reload(), false, 'unchanged files are not taken twice');
  assert.deepEqual(seen, [fp(path.join(dir, 'a', 'svc.pem')), fp(path.join(dir, 'a', 'other.pem'))]);
});

test('unusable files stop a service at start', () => {
  assert.throws(() => new CertificateFiles({ cert: path.join(dir, 'nope.pem'), key: path.join(dir, 'nope.pem'), ca: path.join(dir, 'nope.pem') }, 0), /ENOENT/);
});

test('plain TCP is refused at both ends without the insecure switch; unix sockets need no certificates', () => {
  const none = { insecure: false, reloadMs: 0 };
  assert.throws(() => serverCredentialsFor('10.0.0.5:50051', none), /refusing to listen on 10\.0\.0\.5:50051 without TLS/);
  assert.throws(() => channelCredentialsFor('berth-image:50051', none), /refusing to call berth-image:50051 without TLS/);
  assert.equal(serverCredentialsFor('unix:/run/berth/image.sock', none)._isSecure(), false);
  assert.equal(channelCredentialsFor('unix:/run/berth/image.sock', none)._isSecure(), false);
  assert.equal(serverCredentialsFor('10.0.0.5:50051', { ...none, insecure: true })._isSecure(), false);
  const tls = { cert: path.join(dir, 'a', 'svc.pem'), key: path.join(dir, 'a', 'svc-key.pem'), ca: path.join(dir, 'a', 'ca.pem'), insecure: false, reloadMs: 0 };
  assert.equal(serverCredentialsFor('10.0.0.5:50051', tls)._isSecure(), true);
  assert.equal(channelCredentialsFor('berth-image:50051', tls)._isSecure(), true);
});
