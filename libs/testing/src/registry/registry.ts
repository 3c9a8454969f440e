import { ChildProcess, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import bcrypt from 'bcryptjs';
import { runCommand } from '@berth/host';
import { freePort } from '../ports';
import { parseScopes, startTokenServer, TokenServer } from './token-server';

export const REGISTRY_BIN = process.env.BERTH_REGISTRY_BIN ?? '/usr/bin/docker-registry';
export const SKOPEO_BIN = process.env.BERTH_SKOPEO_BIN ?? '/usr/bin/skopeo';

export interface RegistryAuthOptions {
  username: string;
  password: string;
  /**
   * 'htpasswd' (default): Basic auth, 401 with `WWW-Authenticate: Basic realm=...`.
   * 'token': Bearer tokens from a token server started alongside (401 with
   * `WWW-Authenticate: Bearer realm=...,service=...`).
   */
  type?: 'htpasswd' | 'token';
  /** Token variant: anonymous token requests get a token with no access instead of 401. */
  allowAnonymous?: boolean;
}

export interface StartRegistryOptions {
  auth?: RegistryAuthOptions;
  /** Listen port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** How long to wait for GET /v2/ to answer (default 15 s). */
  startTimeoutMs?: number;
}

export interface PushOptions {
  /**
   * The image inside the source: for a docker archive holding several images
   * its "name:tag" (or "@index"); for an OCI layout directory the ref.name.
   */
  source?: string;
  /** Manifest format written to the registry (skopeo --format): default as the source has it. */
  format?: 'v2s2' | 'oci';
  /** Credentials; default those of the registry's auth. */
  creds?: { username: string; password: string };
}

export interface RegistryResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  json<T = unknown>(): T;
}

export interface Registry {
  /** "127.0.0.1:PORT": the registry part of image references. */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  port: number;
  pid: number;
  /** Temp dir with config.yml, data/, htpasswd or token cert. Removed by stop(). */
  dir: string;
  auth?: RegistryAuthOptions & { type: 'htpasswd' | 'token'; realm: string; service?: string };
  tokenServer?: TokenServer;
  /** Copies an image from a docker archive (.tar) or OCI layout (directory) to <host>/<repoTag> with skopeo. */
  push(archive: string, repoTag: string, opts?: PushOptions): Promise<void>;
  /**
   * The Authorization header value for a request (Basic, or a Bearer token
   * for `scopes` fetched from the token server); undefined without auth.
   */
  authorization(scopes?: string[]): Promise<string | undefined>;
  /**
   * GET/HEAD/... a registry path ("/v2/busybox/tags/list"). With `auth: true`
   * (default) credentials are sent; the token scope is derived from the path.
   */
  request(pathname: string, init?: { method?: string; headers?: Record<string, string>; auth?: boolean; body?: Buffer }): Promise<RegistryResponse>;
  /** What the registry process printed (last 256 KiB). */
  logs(): string;
  stop(): Promise<void>;
}

const live = new Map<number, ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pid] of live) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch { /* gone */ }
    }
    for (const dir of liveDirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

function configYaml(o: {
  dataDir: string;
  port: number;
  secret: string;
  auth?: { type: 'htpasswd'; realm: string; path: string } | { type: 'token'; realm: string; service: string; issuer: string; cert: string };
}): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(o.dataDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${o.port}`,
    `  secret: ${o.secret}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
  ];
  if (o.auth?.type === 'htpasswd') {
    lines.push('auth:', '  htpasswd:', `    realm: ${JSON.stringify(o.auth.realm)}`, `    path: ${JSON.stringify(o.auth.path)}`);
  } else if (o.auth?.type === 'token') {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(o.auth.realm)}`,
      `    service: ${JSON.stringify(o.auth.service)}`,
      `    issuer: ${JSON.stringify(o.auth.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(o.auth.cert)}`,
    );
  }
  return lines.join('\n') + '\n';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function toResponse(status: number, headers: Headers, body: Buffer): RegistryResponse {
  return { status, headers, body, json: <T>() => JSON.parse(body.toString()) as T };
}

/** The token scope a registry path needs: /v2/<name>/(manifests|blobs|tags)/... → repository:<name>:pull[,push]. */
function scopeForPath(pathname: string, method: string): string[] {
  if (pathname === '/v2/_catalog') return ['registry:catalog:*'];
  const m = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(pathname);
  if (!m) return [];
  const actions = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'pull,push';
  return [`repository:${m[1]}:${actions}`];
}


/**
 * Starts Debian's `docker-registry` (distribution v2) on 127.0.0.1 with a
 * temp filesystem store, deletes enabled, no TLS; optionally with htpasswd
 * Basic auth or Bearer token auth (a token server in this process). Resolves
 * once GET /v2/ answers 200 or 401.
 */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<Registry> {
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-'));
  liveDirs.add(dir);
  let tokenServer: TokenServer | undefined;
  let child: ChildProcess | undefined;
  try {
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    const port = opts.port ?? (await freePort());
    const authType = opts.auth ? opts.auth.type ?? 'htpasswd' : undefined;
    let auth: Registry['auth'];
    let authConfig: Parameters<typeof configYaml>[0]['auth'];
    if (opts.auth && authType === 'htpasswd') {
      const htpasswd = path.join(dir, 'htpasswd');
      fs.writeFileSync(htpasswd, `${opts.auth.username}:${bcrypt.hashSync(opts.auth.password, 5)}\n`);
      authConfig = { type: 'htpasswd', realm: 'berth-registry', path: htpasswd };
      auth = { ...opts.auth, type: 'htpasswd', realm: 'berth-registry' };
    } else if (opts.auth && authType === 'token') {
      const service = `127.0.0.1:${port}`;
      const issuer = 'berth-token-issuer';
      tokenServer = await startTokenServer({
        username: opts.auth.username,
        password: opts.auth.password,
        service,
        issuer,
        dir,
        allowAnonymous: opts.auth.allowAnonymous,
      });
      authConfig = { type: 'token', realm: tokenServer.realm, service, issuer, cert: tokenServer.certPath };
      auth = { ...opts.auth, type: 'token', realm: tokenServer.realm, service };
    }
    const configPath = path.join(dir, 'config.yml');
    fs.writeFileSync(configPath, configYaml({ dataDir, port, secret: crypto.randomBytes(16).toString('hex'), auth: authConfig }));

    let output = '';
    const proc = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const collect = (c: Buffer): void => {
      output += c.toString();
      if (output.length > 256 * 1024) output = output.slice(-256 * 1024);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    let exited = false;
    const exitedP = new Promise<void>((resolve) => {
      proc.once('exit', () => {
        exited = true;
        if (proc.pid) live.delete(proc.pid);
        resolve();
      });
      proc.once('error', (err) => {
        exited = true;
        output += String(err);
        resolve();
      });
    });
    if (!proc.pid) throw new Error(`cannot start ${REGISTRY_BIN}`);
    live.set(proc.pid, proc);
    const pid = proc.pid;

    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (opts.startTimeoutMs ?? 15000);
    for (;;) {
      if (exited) throw new Error(`docker-registry exited before answering:\n${output}`);
      try {
        const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200 || res.status === 401) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url}/v2/:\n${output}`);
      await sleep(50);
    }

    const creds = opts.auth;
    const authorization = async (scopes: string[] = []): Promise<string | undefined> => {
      if (!creds) return undefined;
      const basic = 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
      if (authType === 'htpasswd') return basic;
      const q = new URLSearchParams({ service: auth!.service ?? '', account: creds.username });
      for (const s of scopes) q.append('scope', s);
      const res = await fetch(`${auth!.realm}?${q}`, { headers: { Authorization: basic } });
      const body = (await res.json()) as { token?: string };
      if (res.status !== 200 || !body.token) throw new Error(`token server answered ${res.status}`);
      return `Bearer ${body.token}`;
    };

    const registry: Registry = {
      host: `127.0.0.1:${port}`,
      url,
      port,
      pid,
      dir,
      auth,
      tokenServer,
      logs: () => output,
      authorization,
      async request(pathname, init = {}) {
        const method = init.method ?? 'GET';
        const headers: Record<string, string> = { ...(init.headers ?? {}) };
        if (init.auth !== false && creds && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
          const a = await authorization(scopeForPath(new URL(pathname, url).pathname, method));
          if (a) headers.Authorization = a;
        }
        const res = await fetch(url + pathname, { method, headers, body: init.body, redirect: 'manual' });
        return toResponse(res.status, res.headers, Buffer.from(await res.arrayBuffer()));
      },
      async push(archive, repoTag, pushOpts = {}) {
        const policy = path.join(dir, 'policy.json');
        if (!fs.existsSync(policy)) fs.writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
        const isDir = fs.statSync(archive).isDirectory();
        const src = `${isDir ? 'oci' : 'docker-archive'}:${archive}${pushOpts.source ? ':' + pushOpts.source : ''}`;
        const args = ['--policy', policy, 'copy', '--quiet', '--dest-tls-verify=false'];
        const c = pushOpts.creds ?? creds;
        if (c) args.push('--dest-creds', `${c.username}:${c.password}`);
        if (pushOpts.format) args.push('--format', pushOpts.format);
        args.push(src, `docker://${registry.host}/${repoTag}`);
        await runCommand(SKOPEO_BIN, args, { timeoutMs: 300_000 });
      },
      async stop() {
        if (!exited) {
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
          await exitedP;
          clearTimeout(t);
        }
        live.delete(pid);
        await tokenServer?.close();
        fs.rmSync(dir, { recursive: true, force: true });
        liveDirs.delete(dir);
      },
    };
    return registry;
  } catch (err) {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    if (child?.pid) live.delete(child.pid);
    await tokenServer?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw err;
  }
}

export { parseScopes };
