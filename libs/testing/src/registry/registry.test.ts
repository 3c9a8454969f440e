import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fixturePath, materialize, busyboxImage, MEDIA_TYPES } from '../fixtures';
import { isRunning } from '../processes';
import { Registry, startRegistry } from './index';

const ACCEPT = [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex].join(', ');

/** docker-registry processes whose parent is this test process. */
function ourRegistryProcesses(): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (ppid === process.pid && cmd.includes('docker-registry') && isRunning(pid)) out.push(pid);
    } catch { /* gone */ }
  }
  return out;
}

async function withRegistry(opts: Parameters<typeof startRegistry>[0], fn: (r: Registry) => Promise<void>): Promise<void> {
  const r = await startRegistry(opts);
  try {
    await fn(r);
  } catch (err) {
    (err as Error).message += `\n--- registry logs ---\n${r.logs()}`;
    throw err;
  } finally {
    await r.stop();
    assert.ok(!isRunning(r.pid), `registry ${r.pid} still running`);
    assert.ok(!fs.existsSync(r.dir), `${r.dir} left behind`);
  }
}

async function checkPushed(r: Registry): Promise<void> {
  const tags = await r.request('/v2/busybox/tags/list');
  assert.equal(tags.status, 200, tags.body.toString());
  assert.deepEqual(tags.json(), { name: 'busybox', tags: ['latest'] });

  const manifest = await r.request('/v2/busybox/manifests/latest', { headers: { Accept: ACCEPT } });
  assert.equal(manifest.status, 200, manifest.body.toString());
  assert.equal(manifest.headers.get('content-type'), MEDIA_TYPES.dockerManifest);
  const m = manifest.json<{ config: { digest: string }; layers: Array<{ digest: string }> }>();
  assert.equal(m.config.digest, materialize(await busyboxImage()).id);
  assert.equal(m.layers.length, 1);
  assert.match(manifest.headers.get('docker-content-digest') ?? '', /^sha256:[0-9a-f]{64}$/);

  const head = await r.request(`/v2/busybox/blobs/${m.layers[0].digest}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
}

test('plain registry: starts, push, tags list, manifest by Accept, stop', async () => {
  const archive = await fixturePath('busybox.tar');
  await withRegistry({}, async (r) => {
    assert.match(r.host, /^127\.0\.0\.1:\d+$/);
    assert.equal(r.url, `http://${r.host}`);
    const ping = await fetch(`${r.url}/v2/`);
    assert.equal(ping.status, 200);
    assert.equal(ping.headers.get('docker-distribution-api-version'), 'registry/2.0');
    await r.push(archive, 'busybox:latest');
    await checkPushed(r);

    // an OCI layout directory keeps its OCI manifest
    await r.push(await fixturePath('multilayer-oci'), 'library/multilayer:v1');
    const oci = await r.request('/v2/library/multilayer/manifests/v1', { headers: { Accept: ACCEPT } });
    assert.equal(oci.status, 200);
    assert.equal(oci.headers.get('content-type'), MEDIA_TYPES.ociManifest);
    assert.equal(oci.json<{ layers: unknown[] }>().layers.length, 3);

    // deletes are enabled
    const digest = oci.headers.get('docker-content-digest')!;
    const del = await r.request(`/v2/library/multilayer/manifests/${digest}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
  });
});

test('a fixed port is honoured', async () => {
  const { freePort } = await import('../ports');
  const port = await freePort();
  await withRegistry({ port }, async (r) => {
    assert.equal(r.host, `127.0.0.1:${port}`);
  });
});

test('htpasswd auth: 401 Basic without credentials, 200 with', async () => {
  const auth = { username: 'berth', password: 's3cret' };
  await withRegistry({ auth }, async (r) => {
    const anon = await fetch(`${r.url}/v2/`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    const wrong = await fetch(`${r.url}/v2/`, { headers: { Authorization: 'Basic ' + Buffer.from('berth:nope').toString('base64') } });
    assert.equal(wrong.status, 401);
    const ok = await fetch(`${r.url}/v2/`, { headers: { Authorization: 'Basic ' + Buffer.from('berth:s3cret').toString('base64') } });
    assert.equal(ok.status, 200);

    await assert.rejects(r.push(await fixturePath('busybox.tar'), 'busybox:latest', { creds: { username: 'berth', password: 'nope' } }));
    await r.push(await fixturePath('busybox.tar'), 'busybox:latest');
    assert.equal((await r.request('/v2/busybox/tags/list', { auth: false })).status, 401);
    await checkPushed(r);
  });
});

test('token auth: 401 Bearer challenge, token from the realm with credentials, push and pull', async () => {
  const auth = { username: 'berth', password: 's3cret', type: 'token' as const };
  await withRegistry({ auth }, async (r) => {
    const anon = await fetch(`${r.url}/v2/`);
    assert.equal(anon.status, 401);
    const challenge = anon.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="[^"]+"/);
    const realm = /realm="([^"]+)"/.exec(challenge)![1];
    const service = /service="([^"]+)"/.exec(challenge)![1];

    // the token server wants credentials
    const noCreds = await fetch(`${realm}?service=${encodeURIComponent(service)}`);
    assert.equal(noCreds.status, 401);
    const basic = 'Basic ' + Buffer.from('berth:s3cret').toString('base64');
    // as `docker login` asks
    const login = await fetch(`${realm}?account=berth&client_id=docker&offline_token=true&service=${encodeURIComponent(service)}`, { headers: { Authorization: basic } });
    assert.equal(login.status, 200);
    const loginBody = (await login.json()) as { token: string; access_token: string; refresh_token?: string };
    assert.equal(loginBody.token, loginBody.access_token);
    assert.ok(loginBody.refresh_token);
    const ping = await fetch(`${r.url}/v2/`, { headers: { Authorization: `Bearer ${loginBody.token}` } });
    assert.equal(ping.status, 200);

    // OAuth2 form with the refresh token (what docker does with an identity token)
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: loginBody.refresh_token!, service, client_id: 'docker', scope: 'repository:busybox:pull' });
    const oauth = await fetch(realm, { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(oauth.status, 200);

    await r.push(await fixturePath('busybox.tar'), 'busybox:latest');
    // a token without the repository scope is refused
    const unscoped = await fetch(`${r.url}/v2/busybox/tags/list`, { headers: { Authorization: `Bearer ${loginBody.token}` } });
    assert.equal(unscoped.status, 401);
    await checkPushed(r);
  });
});

test('no registry process is left behind', () => {
  assert.deepEqual(ourRegistryProcesses(), []);
});
