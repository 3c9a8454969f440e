// Where a registry domain is reached: host name for Docker Hub, http or https.
import { BlockList, isIP } from 'node:net';

export interface Repository {
  /** Registry domain as in a normalised reference: `docker.io`, `127.0.0.1:5000`, `ghcr.io`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`. */
  path: string;
}

export const DOCKER_HUB_DOMAIN = 'docker.io';
/** Where Docker Hub's distribution API lives. */
export const DOCKER_HUB_REGISTRY_HOST = 'registry-1.docker.io';
/** Where Docker Hub's v1 search API lives. */
export const DOCKER_HUB_INDEX_HOST = 'index.docker.io';

const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export function isDockerHub(domain: string): boolean {
  return HUB_ALIASES.has(domain.toLowerCase());
}

/**
 * `https://index.docker.io/v1/`, `http://localhost:5000/`, `localhost:5000` -> the
 * bare host[:port] (as dockerd's ConvertToHostname), and Hub aliases -> `docker.io`.
 */
export function normalizeDomain(serverAddress: string): string {
  let s = serverAddress.trim();
  const m = /^(https?):\/\//i.exec(s);
  if (m) s = s.slice(m[0].length);
  s = s.split('/')[0]!;
  return isDockerHub(s) ? DOCKER_HUB_DOMAIN : s;
}

/** Host (with port) that serves /v2/ for a domain. */
export function registryHost(domain: string): string {
  return isDockerHub(domain) ? DOCKER_HUB_REGISTRY_HOST : domain;
}

/** Host name without port or IPv6 brackets. */
export function hostnameOf(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end > 0 ? hostPort.slice(1, end) : hostPort;
  }
  const colons = hostPort.split(':').length - 1;
  if (colons === 1) return hostPort.slice(0, hostPort.indexOf(':'));
  return hostPort; // bare IPv6 or no port
}

function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * dockerd's insecure-registries semantics: loopback is always insecure; entries
 * are host, host:port or CIDR (`10.0.0.0/8`). Insecure registries are spoken to
 * over plain http here.
 */
export class InsecureRegistries {
  private readonly names = new Set<string>();
  private readonly cidrs = new BlockList();

  constructor(entries: string[] = []) {
    for (const raw of entries) {
      const entry = raw.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
      if (!entry) continue;
      const slash = entry.indexOf('/');
      if (slash > 0) {
        const addr = entry.slice(0, slash);
        const prefix = Number(entry.slice(slash + 1));
        const family = isIP(addr);
        if (family && Number.isInteger(prefix)) {
          this.cidrs.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
          continue;
        }
      }
      this.names.add(entry.toLowerCase());
    }
  }

  isInsecure(domain: string): boolean {
    const d = domain.toLowerCase();
    const hostname = hostnameOf(d);
    if (isLoopback(hostname)) return true;
    if (this.names.has(d) || this.names.has(hostname)) return true;
    const family = isIP(hostname);
    if (family) return this.cidrs.check(hostname, family === 4 ? 'ipv4' : 'ipv6');
    return false;
  }
}

/** `http://127.0.0.1:5000` or `https://registry-1.docker.io` (no trailing slash). */
export function baseUrlFor(domain: string, insecure: InsecureRegistries): string {
  const host = registryHost(domain);
  return `${insecure.isInsecure(host) ? 'http' : 'https'}://${host}`;
}

/** reference.FamiliarName: `docker.io/library/busybox` -> `busybox`, `docker.io/a/b` -> `a/b`. */
export function familiarName(repo: Repository): string {
  if (isDockerHub(repo.domain)) {
    const p = repo.path;
    if (p.startsWith('library/') && !p.slice('library/'.length).includes('/')) return p.slice('library/'.length);
    return p;
  }
  return `${repo.domain}/${repo.path}`;
}

/** reference.FamiliarString: name plus `:tag` or `@digest`. */
export function familiarString(repo: Repository, reference: string): string {
  return `${familiarName(repo)}${isDigest(reference) ? '@' : ':'}${reference}`;
}

export function isDigest(reference: string): boolean {
  return /^sha(256|384|512):[a-f0-9]+$/.test(reference);
}

/** Encodes a repository path for a URL (components are already restricted to [a-z0-9._-/]). */
export function repoUrlPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
