import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { Berth, startBerth, freePort, dockerCli } from '../index';

let berth: Berth;
let certs: string;
let address: string;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `dockerd --tlsverify` uses. */
function makeCertificates(): void {
  certs = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tls-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth-test-ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem']);
  fs.writeFileSync(path.join(certs, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  fs.writeFileSync(path.join(certs, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', `${who === 'server' ? 'server-key' : 'key'}.pem`, '-out', `${who}.csr`]);
    openssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', `${who}.ext`, '-out', `${who === 'server' ? 'server-cert' : 'cert'}.pem`]);
  }
}

before(async () => {
  makeCertificates();
  address = `127.0.0.1:${await freePort()}`;
  berth = await startBerth({
    tcp: false,
    env: {
      BERTH_TCP: address,
      BERTH_TLS_CERT: path.join(certs, 'server-cert.pem'),
      BERTH_TLS_KEY: path.join(certs, 'server-key.pem'),
      BERTH_TLS_CA: path.join(certs, 'ca.pem'),
    },
  });
});

after(async () => {
  await berth?.stop();
  if (certs) fs.rmSync(certs, { recursive: true, force: true });
});

test('the TCP listener speaks TLS and verifies clients like dockerd --tlsverify', async () => {
  const target = { host: `tcp://${address}`, configDir: berth.dockerConfig };
  const ok = await dockerCli(target, ['--tlsverify', '--tlscacert', path.join(certs, 'ca.pem'), '--tlscert', path.join(certs, 'cert.pem'), '--tlskey', path.join(certs, 'key.pem'), 'version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), '1.50');
  const plain = await dockerCli(target, ['version', '--format', '{{.Server.APIVersion}}']);
  assert.notEqual(plain.code, 0, 'plain HTTP is refused');
});

test('a gateway refuses plain TCP without the insecure switch', () => {
  const res = spawnSync(process.execPath, [path.resolve(__dirname, '../../../../apps/gateway/dist/main.js')], {
    env: { ...berth.env, BERTH_SOCKET: '', BERTH_TCP: '0.0.0.0:0', BERTH_TLS_CERT: '', BERTH_TLS_KEY: '', BERTH_TLS_CA: '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.notEqual(res.status, 0);
  assert.match(res.stderr, /refusing to serve plain TCP on 0\.0\.0\.0:0: whoever can connect to it is root on this host/);
});
