import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface TokenServerOptions {
  username: string;
  password: string;
  /** The registry's `auth.token.service` (the token audience). */
  service: string;
  issuer: string;
  /** Directory for the key and certificate. */
  dir: string;
  /** Token lifetime in seconds (default 300). */
  expiresIn?: number;
  /** Hand out tokens (with no access) to anonymous requests instead of answering 401. Default false. */
  allowAnonymous?: boolean;
}

export interface TokenServer {
  /** http://127.0.0.1:PORT/token: the registry's auth.token.realm. */
  realm: string;
  port: number;
  /** PEM certificate the registry trusts (auth.token.rootcertbundle). */
  certPath: string;
  /** Signs a token for `account` granting `access`, as the server would. */
  issue(account: string, access: AccessEntry[]): string;
  /** Every token request the server received (for assertions). */
  requests: Array<{ method: string; url: string; account?: string; authorized: boolean }>;
  close(): Promise<void>;
}

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** The key ID format of docker/libtrust: base32 of the first 240 bits of sha256(DER SPKI), 4-char groups. */
export function libtrustKeyId(publicKey: crypto.KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const sum = crypto.createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of sum) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}

/** "repository:busybox:pull,push" → access entries (several scopes may be space-separated or repeated). */
export function parseScopes(scopes: string[]): AccessEntry[] {
  const out: AccessEntry[] = [];
  for (const scope of scopes.flatMap((s) => s.split(' ')).filter(Boolean)) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first < 0 || last === first) continue;
    out.push({ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) });
  }
  return out;
}

/** A self-signed RSA certificate and key via the openssl CLI. */
function makeCertificate(dir: string, cn: string): { keyPath: string; certPath: string } {
  const keyPath = path.join(dir, 'token.key');
  const certPath = path.join(dir, 'token.crt');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '3650', '-subj', `/CN=${cn}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { keyPath, certPath };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

/**
 * A minimal Docker token server (https://distribution.github.io/distribution/spec/auth/token/):
 * GET /token with Basic credentials, and the OAuth2 POST /token form
 * (grant_type=password | refresh_token). Tokens are RS256 JWTs whose header
 * carries both the certificate (x5c) and the libtrust key id (kid).
 */
export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const { keyPath, certPath } = makeCertificate(opts.dir, opts.issuer);
  const privateKey = crypto.createPrivateKey(fs.readFileSync(keyPath));
  const cert = new crypto.X509Certificate(fs.readFileSync(certPath));
  const kid = libtrustKeyId(cert.publicKey);
  const x5c = [cert.raw.toString('base64')];
  const expiresIn = opts.expiresIn ?? 300;
  const refreshTokens = new Map<string, string>();
  const requests: TokenServer['requests'] = [];

  const issue = (account: string, access: AccessEntry[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid, x5c };
    const claims = {
      iss: opts.issuer,
      sub: account,
      aud: opts.service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: crypto.randomBytes(16).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = crypto.sign('sha256', Buffer.from(input), privateKey);
    return `${input}.${b64url(sig)}`;
  };

  const checkBasic = (header: string | undefined): string | undefined => {
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    return colon >= 0 && user === opts.username && pass === opts.password ? user : undefined;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (url.pathname !== '/token') return send(404, { errors: [{ code: 'NOT_FOUND' }] });
      let account: string | undefined;
      let scopes: string[] = url.searchParams.getAll('scope');
      let offline = url.searchParams.get('offline_token') === 'true';
      let hadCredentials = !!req.headers.authorization;
      if (req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        scopes = form.getAll('scope');
        offline = form.get('access_type') === 'offline';
        const grant = form.get('grant_type');
        if (grant === 'password') {
          hadCredentials = true;
          account = form.get('username') === opts.username && form.get('password') === opts.password ? opts.username : undefined;
        } else if (grant === 'refresh_token') {
          hadCredentials = true;
          account = refreshTokens.get(form.get('refresh_token') ?? '');
        } else {
          return send(400, { error: 'unsupported_grant_type' });
        }
      } else if (req.method === 'GET') {
        account = checkBasic(req.headers.authorization);
      } else {
        return send(405, { error: 'method not allowed' });
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', account, authorized: !!account });
      if (!account && (hadCredentials || !opts.allowAnonymous)) {
        return send(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, {
          'WWW-Authenticate': 'Basic realm="berth-token-server"',
        });
      }
      const access = account ? parseScopes(scopes) : [];
      const token = issue(account ?? '', access);
      const body: Record<string, unknown> = {
        token,
        access_token: token,
        expires_in: expiresIn,
        issued_at: new Date().toISOString(),
      };
      if (account && offline) {
        const refresh = crypto.randomBytes(24).toString('hex');
        refreshTokens.set(refresh, account);
        body.refresh_token = refresh;
      }
      if (req.method === 'POST') body.scope = scopes.join(' ');
      send(200, body);
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    port,
    certPath,
    issue,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
