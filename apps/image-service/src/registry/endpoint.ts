// Where a registry domain is reached: the URL of its API and of a repository in it.
// Naming rules (Docker Hub's aliases and hosts, insecure registries) are @berth/reference's.
import { InsecureRegistries, registryHost } from '@berth/reference';

export interface Repository {
  /** Registry domain as in a normalised reference: `docker.io`, `127.0.0.1:5000`, `ghcr.io`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`. */
  path: string;
}

/** `http://127.0.0.1:5000` or `https://registry-1.docker.io` (no trailing slash). */
export function baseUrlFor(domain: string, insecure: InsecureRegistries): string {
  const host = registryHost(domain);
  return `${insecure.isInsecure(host) ? 'http' : 'https'}://${host}`;
}

/** Encodes a repository path for a URL (components are already restricted to [a-z0-9._-/]). */
export function repoUrlPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
