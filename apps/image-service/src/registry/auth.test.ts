// The token flow, redirects and refusals against a small scripted registry
// (the real docker-registry has no token server; client.test.ts covers the rest).
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseChallenges } from './auth';
import { RegistryClient } from './client';
import { RegistryError } from './errors';
import { sha256 } from '@berth/testing';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body?: string;
}

const USER = 'alice';
const PASS = 'pw';
const REFRESH = 'refresh-alice';

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

function readReq(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (d) => (s += d));
    req.on('end', () => resolve(s));
  });
}

describe('token auth, redirects and refusals', () => {
  const tokenRequests: Seen[] = [];
  const storageRequests: Seen[] = [];
  const registryRequests: Seen[] = [];
  let registry: http.Server;
  let storage: http.Server;
  let port = 0;
  let domain = '';
  let client: RegistryClient;

  const blob = Buffer.from('layer bytes '.repeat(5000));
  const blobDigest = sha256(blob);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: blobDigest, size: blob.length },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: blobDigest, size: blob.length }],
    }),
  );

  /** Scopes granted to the caller, from the token, as "repository:name:action" entries. */
  function granted(authorization: string | undefined): string[] {
    if (!authorization?.startsWith('Bearer ')) return [];
    const token = authorization.slice('Bearer '.length);
    if (token === 'static-registry-token') return ['*'];
    try {
      return JSON.parse(Buffer.from(token.replace(/^tok-/, ''), 'base64url').toString()) as string[];
    } catch {
      return [];
    }
  }

  function grant(scopes: string[], who: string | undefined): string[] {
    const out: string[] = [];
    for (const scope of scopes) {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) continue;
      for (const action of actions.split(',')) {
        if (name.startsWith('public/') && action === 'pull') out.push(`repository:${name}:pull`);
        else if (who === USER) out.push(`repository:${name}:${action}`);
      }
    }
    return out;
  }

  before(async () => {
    storage = http.createServer((req, res) => {
      storageRequests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length });
      res.end(blob);
    });
    const storagePort = await listen(storage, '127.0.0.1');

    registry = http.createServer(async (req, res) => {
      const url = new URL(req.url!, `http://${req.headers.host}`);
      const body = await readReq(req);
      const realm = `http://127.0.0.1:${port}/token`;
      if (url.pathname === '/token') {
        tokenRequests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
        let who: string | undefined;
        let scopes: string[];
        if (req.method === 'POST') {
          const form = new URLSearchParams(body);
          if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== REFRESH) {
            res.writeHead(401, { 'Content-Type': 'application/json' });
            return res.end(JSON.stringify({ details: 'invalid refresh token' }));
          }
          who = USER;
          scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        } else {
          scopes = url.searchParams.getAll('scope');
          const a = req.headers.authorization;
          if (a) {
            const [u, p] = Buffer.from(a.replace(/^Basic /, ''), 'base64').toString().split(':');
            if (u !== USER || p !== PASS) {
              res.writeHead(401, { 'Content-Type': 'application/json' });
              return res.end(JSON.stringify({ details: 'incorrect username or password' }));
            }
            who = USER;
          }
        }
        const token = 'tok-' + Buffer.from(JSON.stringify(grant(scopes, who))).toString('base64url');
        const offline = url.searchParams.get('offline_token') === 'true' && who === USER;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ token, expires_in: 300, ...(offline ? { refresh_token: REFRESH } : {}) }));
      }
      registryRequests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
      const challenge = (scope?: string, error?: string): string =>
        `Bearer realm="${realm}",service="fake"` + (scope ? `,scope="${scope}"` : '') + (error ? `,error="${error}"` : '');
      if (url.pathname === '/v2/') {
        if (!req.headers.authorization) {
          res.writeHead(401, { 'WWW-Authenticate': challenge(), 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{}');
      }
      const m = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
      if (!m) {
        res.writeHead(404);
        return res.end();
      }
      const [, name, kind, ref] = m;
      const action = req.method === 'PUT' ? 'push' : 'pull';
      const have = granted(req.headers.authorization);
      if (!have.includes('*') && !have.includes(`repository:${name}:${action}`)) {
        const scope = `repository:${name}:${action}`;
        const error = req.headers.authorization ? 'insufficient_scope' : undefined;
        res.writeHead(401, { 'WWW-Authenticate': challenge(scope, error), 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      }
      if (kind === 'blobs') {
        res.writeHead(307, { Location: `http://localhost:${storagePort}/storage/${ref}?sig=x` });
        return res.end();
      }
      if (ref === 'schema1') {
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
        return res.end(JSON.stringify({ schemaVersion: 1, name, tag: 'schema1', fsLayers: [] }));
      }
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' });
      return res.end(manifest);
    });
    port = await listen(registry, '127.0.0.1');
    domain = `127.0.0.1:${port}`;
    client = new RegistryClient();
  });

  after(async () => {
    client?.close();
    registry?.closeAllConnections();
    storage?.closeAllConnections();
    await Promise.all([new Promise((r) => registry?.close(r)), new Promise((r) => storage?.close(r))]);
  });

  const amd64 = { os: 'linux', architecture: 'amd64' };

  it('parses challenges', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:a/b:pull,push' } },
    ]);
    assert.deepEqual(parseChallenges(['Basic realm="x"', 'Bearer realm="y", error=insufficient_scope']), [
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'y', error: 'insufficient_scope' } },
    ]);
    assert.deepEqual(parseChallenges('Basic realm="a", Bearer realm="b"').map((c) => c.scheme), ['basic', 'bearer']);
  });

  it('pulls anonymously with a token and caches it', async () => {
    const repo = { domain, path: 'public/img' };
    const r = await client.resolve(repo, 'latest', amd64);
    assert.equal(r.digest, sha256(manifest));
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0]!.authorization, undefined);
    const q = new URL(tokenRequests[0]!.url, 'http://x').searchParams;
    assert.equal(q.get('service'), 'fake');
    assert.equal(q.get('scope'), 'repository:public/img:pull');
    await client.resolve(repo, 'latest', amd64);
    assert.equal(tokenRequests.length, 1, 'token reused from the cache');
  });

  it('follows blob redirects without forwarding Authorization to storage', async () => {
    const { stream, size } = await client.fetchBlob({ domain, path: 'public/img' }, blobDigest);
    assert.equal(size, blob.length);
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    assert.equal(sha256(Buffer.concat(chunks)), blobDigest);
    assert.equal(storageRequests.length, 1);
    assert.equal(storageRequests[0]!.authorization, undefined);
    assert.ok(registryRequests.some((r) => r.url.includes('/blobs/') && r.authorization?.startsWith('Bearer ')));
  });

  it('reports a token that grants less than asked as pull access denied', async () => {
    await assert.rejects(client.resolve({ domain, path: 'secret/img' }, 'latest', amd64), (err: RegistryError) => {
      assert.equal(err.kind, 'denied');
      assert.equal(
        err.message,
        `pull access denied for ${domain}/secret/img, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      );
      return true;
    });
    await assert.rejects(
      client.pushManifest({ domain, path: 'public/img' }, 'v2', 'application/vnd.docker.distribution.manifest.v2+json', manifest),
      (err: RegistryError) => err.kind === 'denied' && err.message === 'denied: requested access to the resource is denied',
    );
  });

  it('fetches tokens with basic credentials and words bad ones like dockerd', async () => {
    const before = tokenRequests.length;
    const r = await client.resolve({ domain, path: 'secret/img' }, 'latest', amd64, { username: USER, password: PASS });
    assert.equal(r.digest, sha256(manifest));
    const t = tokenRequests[before]!;
    assert.equal(t.authorization, 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64'));
    assert.equal(new URL(t.url, 'http://x').searchParams.get('account'), USER);
    await assert.rejects(
      client.resolve({ domain, path: 'secret/img' }, 'latest', amd64, { username: USER, password: 'bad' }),
      (err: RegistryError) => {
        assert.equal(err.kind, 'unauthorized');
        assert.equal(err.message, `Get "http://${domain}/v2/secret/img/manifests/latest": unauthorized: incorrect username or password`);
        return true;
      },
    );
  });

  it('logs in, returns an identity token, and pulls with it', async () => {
    const res = await client.login(domain, { username: USER, password: PASS });
    assert.deepEqual(res, { status: 'Login Succeeded', identityToken: REFRESH });
    await assert.rejects(client.login(`http://${domain}/`, { username: USER, password: 'bad' }), (err: RegistryError) => {
      assert.equal(err.kind, 'unauthorized');
      assert.equal(err.message, `Get "http://${domain}/v2/": unauthorized: incorrect username or password`);
      return true;
    });
    const before = tokenRequests.length;
    const r = await client.resolve({ domain, path: 'secret/other' }, 'latest', amd64, { identitytoken: REFRESH });
    assert.equal(r.digest, sha256(manifest));
    const t = tokenRequests[before]!;
    assert.equal(t.method, 'POST');
    const form = new URLSearchParams(t.body);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('scope'), 'repository:secret/other:pull');
    assert.equal(form.get('client_id'), 'docker');
  });

  it('sends a registry token as is', async () => {
    const before = tokenRequests.length;
    const r = await client.resolve({ domain, path: 'secret/third' }, 'latest', amd64, { registrytoken: 'static-registry-token' });
    assert.equal(r.digest, sha256(manifest));
    assert.equal(tokenRequests.length, before);
  });

  it('refuses schema 1 manifests', async () => {
    await assert.rejects(client.resolve({ domain, path: 'public/img' }, 'schema1', amd64), (err: RegistryError) => {
      assert.equal(err.kind, 'invalid');
      assert.equal(
        err.message,
        `Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of ${domain}/public/img:schema1 to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/`,
      );
      return true;
    });
  });
});
