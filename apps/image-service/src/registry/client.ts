// RegistryClient: pull (resolve, fetchBlob), push (pushBlob, pushManifest),
// login and search against distribution API v2 registries.
import * as http from 'node:http';
import { RegistryAuth, TokenService, repositoryScope } from './auth';
import { InsecureRegistries, familiarName, familiarString, isDigest, normalizeDomain } from '@berth/reference';
import { Repository, baseUrlFor, repoUrlPath } from './endpoint';
import { RegistryError } from './errors';
import { HttpResponse, HttpTransport, discard, header, readBody } from './http';
import {
  Descriptor,
  MANIFEST_ACCEPT,
  Platform,
  computeDigest,
  digestMatches,
  parseManifest,
  selectPlatform,
} from './manifests';
import { errorFromResponse } from './response-errors';
import { SearchResult, searchRegistry } from './search';
import { RegistrySessions } from './session';

export interface ResolvedManifest {
  /** Digest of the platform's image manifest (sha256 of `raw`). */
  digest: string;
  mediaType: string;
  /** The image manifest's bytes exactly as served. */
  raw: Buffer;
  config: Descriptor;
  layers: Descriptor[];
  /** Digest of the index the reference named, when it named one. */
  indexDigest?: string;
}

export interface RegistryClientOptions {
  /** dockerd's insecure-registries: host, host:port or CIDR; spoken to over http. Loopback always is. */
  insecureRegistries?: string[];
  userAgent?: string;
  /** Connect timeout and wait for response headers (not bodies), default 30000. */
  timeoutMs?: number;
}

/** Manifests larger than this are refused (containerd and dockerd cap them alike). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export class RegistryClient {
  private readonly http: HttpTransport;
  private readonly sessions: RegistrySessions;
  private readonly insecure: InsecureRegistries;

  constructor(opts: RegistryClientOptions = {}) {
    this.insecure = new InsecureRegistries(opts.insecureRegistries ?? []);
    this.http = new HttpTransport({ userAgent: opts.userAgent ?? 'berth', timeoutMs: opts.timeoutMs });
    this.sessions = new RegistrySessions(this.http, new TokenService(this.http));
  }

  /** `http://127.0.0.1:5000` or `https://registry-1.docker.io`. */
  baseUrl(domain: string): string {
    return baseUrlFor(normalizeDomain(domain), this.insecure);
  }

  /**
   * The image manifest of `reference` (tag or digest) for `platform`, going
   * through an index when the reference names one. Errors read like dockerd's
   * pull errors, with the familiar reference built from `repo` and `reference`:
   * `manifest for busybox:nope not found: manifest unknown: manifest unknown`.
   */
  async resolve(repo: Repository, reference: string, platform: Platform, auth?: RegistryAuth): Promise<ResolvedManifest> {
    try {
      return await this.resolveInner(repo, reference, platform, auth);
    } catch (err) {
      throw translatePullError(err, repo, reference);
    }
  }

  private async resolveInner(repo: Repository, reference: string, platform: Platform, auth?: RegistryAuth): Promise<ResolvedManifest> {
    const refString = `${normalizeDomain(repo.domain)}/${repo.path}${isDigest(reference) ? '@' : ':'}${reference}`;
    const top = await this.getManifest(repo, reference, auth);
    if (isDigest(reference) && !digestMatches(top.raw, reference)) {
      throw new RegistryError('invalid', `manifest verification failed for digest ${reference}`);
    }
    let current = top;
    let currentDigest = isDigest(reference) ? reference : computeDigest(top.raw);
    let indexDigest: string | undefined;
    for (let depth = 0; ; depth++) {
      const parsed = parseManifest(current.raw, current.contentType, refString);
      if (parsed.kind === 'manifest') {
        return {
          digest: currentDigest,
          mediaType: parsed.mediaType,
          raw: current.raw,
          config: parsed.config,
          layers: parsed.layers,
          ...(indexDigest ? { indexDigest } : {}),
        };
      }
      if (depth >= 2) throw new RegistryError('invalid', 'unsupported manifest format');
      indexDigest ??= currentDigest;
      const chosen = selectPlatform(parsed.manifests, platform);
      current = await this.getManifest(repo, chosen.digest, auth);
      if (!digestMatches(current.raw, chosen.digest)) {
        throw new RegistryError('invalid', `manifest verification failed for digest ${chosen.digest}`);
      }
      currentDigest = chosen.digest;
    }
  }

  private async getManifest(repo: Repository, reference: string, auth?: RegistryAuth): Promise<{ raw: Buffer; contentType?: string }> {
    const base = this.baseUrl(repo.domain);
    const url = `${base}/v2/${repoUrlPath(repo.path)}/manifests/${checkReference(reference)}`;
    const res = await this.sessions.send(base, [repositoryScope(repo.path, ['pull'])], auth, {
      method: 'GET',
      url,
      headers: { Accept: MANIFEST_ACCEPT },
    });
    if (res.status !== 200) throw await errorFromResponse(res);
    const raw = await readBody(res, MAX_MANIFEST_BYTES);
    return { raw, contentType: header(res, 'content-type') };
  }

  /**
   * The blob's bytes as a stream, unbuffered (redirects to storage followed
   * without our Authorization). `size` is the Content-Length, -1 when the
   * server sent none. The caller verifies the digest while streaming.
   */
  async fetchBlob(repo: Repository, digest: string, auth?: RegistryAuth): Promise<{ stream: NodeJS.ReadableStream; size: number }> {
    try {
      const base = this.baseUrl(repo.domain);
      const res = await this.sessions.send(base, [repositoryScope(repo.path, ['pull'])], auth, {
        method: 'GET',
        url: `${base}/v2/${repoUrlPath(repo.path)}/blobs/${checkDigest(digest)}`,
      });
      if (res.status !== 200) throw await errorFromResponse(res);
      const len = Number(header(res, 'content-length'));
      return { stream: res.body, size: Number.isFinite(len) && header(res, 'content-length') !== undefined ? len : -1 };
    } catch (err) {
      throw translatePullError(err, repo, digest);
    }
  }

  async blobExists(repo: Repository, digest: string, auth?: RegistryAuth): Promise<boolean> {
    return this.headBlob(repo, digest, [repositoryScope(repo.path, ['pull'])], auth);
  }

  private async headBlob(repo: Repository, digest: string, scopes: string[], auth?: RegistryAuth): Promise<boolean> {
    const base = this.baseUrl(repo.domain);
    const res = await this.sessions.send(base, scopes, auth, {
      method: 'HEAD',
      url: `${base}/v2/${repoUrlPath(repo.path)}/blobs/${checkDigest(digest)}`,
    });
    if (res.status === 200) {
      discard(res);
      return true;
    }
    if (res.status === 404) {
      discard(res);
      return false;
    }
    throw await errorFromResponse(res);
  }

  /**
   * Pushes one blob: `exists` when the registry has it, `mounted` when a
   * cross-repository mount from `mountFrom` (a repository path on the same
   * registry) worked, else `uploaded` (POST then one monolithic PUT streaming `open()`).
   */
  async pushBlob(
    repo: Repository,
    descriptor: Descriptor,
    open: () => NodeJS.ReadableStream,
    auth?: RegistryAuth,
    mountFrom?: string,
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    const base = this.baseUrl(repo.domain);
    const from = mountFrom && mountFrom !== repo.path ? mountFrom : undefined;
    const scopes = [repositoryScope(repo.path, ['pull', 'push'])];
    if (from) scopes.push(repositoryScope(from, ['pull']));
    if (await this.headBlob(repo, descriptor.digest, scopes, auth)) return 'exists';

    const uploads = `${base}/v2/${repoUrlPath(repo.path)}/blobs/uploads/`;
    const startUrl = from
      ? `${uploads}?mount=${encodeURIComponent(descriptor.digest)}&from=${encodeURIComponent(from)}`
      : uploads;
    const start = await this.sessions.send(base, scopes, auth, { method: 'POST', url: startUrl, followRedirects: false });
    if (start.status === 201 && from) {
      discard(start);
      return 'mounted';
    }
    if (start.status !== 202) throw await errorFromResponse(start);
    const location = header(start, 'location');
    discard(start);
    if (!location) throw new RegistryError('other', `registry answered ${startUrl} without an upload location`);

    const put = new URL(location, uploads);
    put.searchParams.set('digest', descriptor.digest);
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    if (descriptor.size >= 0) headers['Content-Length'] = String(descriptor.size);
    const res = await this.sessions.send(base, scopes, auth, { method: 'PUT', url: put.toString(), headers, body: open });
    if (res.status !== 201) throw await errorFromResponse(res);
    discard(res);
    return 'uploaded';
  }

  /**
   * PUTs a manifest (or index) under a tag or digest. Returns the sha256 of
   * `body`, which is what the registry stores it under (its
   * Docker-Content-Digest header is only advisory).
   */
  async pushManifest(repo: Repository, tagOrDigest: string, mediaType: string, body: Buffer, auth?: RegistryAuth): Promise<string> {
    const base = this.baseUrl(repo.domain);
    const res = await this.sessions.send(base, [repositoryScope(repo.path, ['pull', 'push'])], auth, {
      method: 'PUT',
      url: `${base}/v2/${repoUrlPath(repo.path)}/manifests/${checkReference(tagOrDigest)}`,
      headers: { 'Content-Type': mediaType },
      body,
    });
    if (res.status !== 201 && res.status !== 200) throw await errorFromResponse(res);
    discard(res);
    const algo = isDigest(tagOrDigest) ? tagOrDigest.split(':')[0] : 'sha256';
    return computeDigest(body, algo);
  }

  /**
   * Checks credentials the way `docker login` does (GET /v2/ through the token
   * flow when the registry asks for Bearer). Failures read like dockerd's:
   * `login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized`
   * or `Get "https://registry-1.docker.io/v2/": unauthorized: incorrect username or password`.
   */
  async login(serverAddress: string, auth: RegistryAuth): Promise<{ status: 'Login Succeeded'; identityToken?: string }> {
    const base = this.baseUrl(serverAddress);
    const url = `${base}/v2/`;
    const challenges = await this.sessions.challenges(base, true);
    const authz = await this.sessions.authorize(challenges, [], auth, 'GET', url, { fresh: true, offline: true });
    const headers: Record<string, string> = {};
    if (authz.header) headers['Authorization'] = authz.header;
    const res: HttpResponse = await this.http.request({ method: 'GET', url, headers });
    discard(res);
    if (res.status !== 200) {
      const text = http.STATUS_CODES[res.status] ?? '';
      throw new RegistryError(
        res.status === 401 ? 'unauthorized' : res.status === 403 ? 'denied' : 'other',
        `login attempt to ${url} failed with status: ${res.status} ${text}`.trimEnd(),
        { status: res.status },
      );
    }
    return authz.refreshToken ? { status: 'Login Succeeded', identityToken: authz.refreshToken } : { status: 'Login Succeeded' };
  }

  /**
   * Searches `registryHost` (`docker.io`, `127.0.0.1:5000`) for `term` (the
   * part after the registry, see splitSearchTerm): the v1 search API, else the
   * v2 catalog filtered by substring for registries without one.
   */
  async search(registryHost: string, term: string, limit: number, auth?: RegistryAuth): Promise<SearchResult[]> {
    return searchRegistry(
      { http: this.http, sessions: this.sessions, baseUrl: (d) => this.baseUrl(d) },
      registryHost,
      term,
      limit,
      auth,
    );
  }

  /** Drops pooled connections (keep-alive sockets) so a process can exit at once. */
  close(): void {
    this.http.close();
  }
}

const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A tag or digest, safe to put in a URL path as is (digests keep their colon, as dockerd sends them). */
function checkReference(reference: string): string {
  if (TAG.test(reference) || DIGEST.test(reference)) return reference;
  throw new RegistryError('invalid', `invalid reference format: ${JSON.stringify(reference)}`);
}

function checkDigest(digest: string): string {
  if (DIGEST.test(digest)) return digest;
  throw new RegistryError('invalid', `invalid digest format: ${JSON.stringify(digest)}`);
}

/**
 * dockerd's translatePullError: DENIED, MANIFEST_UNKNOWN and NAME_UNKNOWN
 * answers name the image; others (and transport failures) pass as they are.
 */
export function translatePullError(err: unknown, repository: Repository, reference: string): unknown {
  if (!(err instanceof RegistryError) || err.requestFailure || !err.code) return err;
  // Any of Docker Hub's names reads as docker.io (`busybox`, not `registry-1.docker.io/library/busybox`).
  const repo = { domain: normalizeDomain(repository.domain), path: repository.path };
  switch (err.code) {
    case 'DENIED':
      return err.withMessage(
        `pull access denied for ${familiarName(repo)}, repository does not exist or may require 'docker login': ${err.message}`,
      );
    case 'MANIFEST_UNKNOWN':
      return err.withMessage(`manifest for ${familiarString(isDigest(reference) ? { ...repo, digest: reference } : { ...repo, tag: reference })} not found: ${err.message}`);
    case 'NAME_UNKNOWN':
      return err.withMessage(`repository ${familiarName(repo)} not found: ${err.message}`);
    default:
      return err;
  }
}
