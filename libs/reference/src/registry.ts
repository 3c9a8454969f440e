import { BlockList, isIP } from 'node:net';

import { DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, type Reference } from './reference';

/** Docker Hub's registry API host: `docker.io` is only the name in references. */
export const DEFAULT_REGISTRY_HOST = 'registry-1.docker.io';
/** Where Docker Hub's v1 search API lives (also the legacy name of its domain). */
export const DOCKER_HUB_INDEX_HOST = LEGACY_DEFAULT_DOMAIN;

/** Every name Docker Hub goes by in references, logins and URLs. */
const HUB_ALIASES = new Set([DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, DEFAULT_REGISTRY_HOST, 'registry.hub.docker.com']);

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
  return isDockerHub(s) ? DEFAULT_DOMAIN : s;
}

/** The host (with port) that serves /v2/ for a reference or a domain. */
export function registryHost(refOrDomain: Reference | string): string {
  const domain = typeof refOrDomain === 'string' ? refOrDomain : refOrDomain.domain;
  return domain === '' || isDockerHub(domain) ? DEFAULT_REGISTRY_HOST : domain;
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

/**
 * dockerd's splitReposSearchTerm: `ubuntu` and `user/app` search Docker Hub,
 * `localhost:5000/app` or `reg.example.com/app` search that registry.
 */
export function splitSearchTerm(term: string): { registryHost: string; term: string } {
  const slash = term.indexOf('/');
  if (slash < 0) return { registryHost: DEFAULT_DOMAIN, term };
  const first = term.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return { registryHost: DEFAULT_DOMAIN, term };
  return { registryHost: first, term: term.slice(slash + 1) };
}

function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * dockerd's insecure-registries: loopback always is; entries are host,
 * host:port (a host entry covers all its ports) or CIDR (`10.0.0.0/8`).
 * Berth speaks plain http to them.
 */
export class InsecureRegistries {
  private readonly names = new Set<string>();
  private readonly cidrs = new BlockList();

  constructor(entries: readonly string[] = []) {
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
