// docker search: the v1 search API (Docker Hub and registries that have it),
// else the v2 catalog filtered by substring (a plain distribution registry).
import { RegistryAuth, basicHeader, hasCredentials } from './auth';
import { DOCKER_HUB_INDEX_HOST, hostnameOf, isDockerHub, normalizeDomain } from '@berth/reference';
import { RegistryError } from './errors';
import { HttpResponse, HttpTransport, discard, header, readBody } from './http';
import { errorFromResponse } from './response-errors';
import { RegistrySessions } from './session';

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export interface SearchDeps {
  http: HttpTransport;
  sessions: RegistrySessions;
  baseUrl(domain: string): string;
}

/** dockerd's default and bounds for `limit`. */
export const DEFAULT_SEARCH_LIMIT = 25;
const CATALOG_PAGE = 100;
const CATALOG_MAX_PAGES = 200;

export async function searchRegistry(
  deps: SearchDeps,
  registryHost: string,
  term: string,
  limit: number,
  auth?: RegistryAuth,
): Promise<SearchResult[]> {
  if (!limit) limit = DEFAULT_SEARCH_LIMIT;
  if (limit < 1 || limit > 100) throw new RegistryError('invalid', `limit ${limit} is outside the range of [1, 100]`);
  if (term.includes('://')) {
    throw new RegistryError('invalid', `invalid repository name: repository name (${term}) should not have a scheme`);
  }
  const domain = normalizeDomain(registryHost);
  const hub = isDockerHub(domain);
  // The official index stores library/foo as foo.
  const remote = hub ? term.replace(/^library\//, '') : term;
  const v1Base = hub ? `https://${DOCKER_HUB_INDEX_HOST}` : deps.baseUrl(domain);

  let v1Error: unknown;
  try {
    const found = await searchV1(deps.http, v1Base, remote, limit, auth);
    if (found) return found.slice(0, limit);
  } catch (err) {
    v1Error = err;
  }
  if (hub || (v1Error instanceof RegistryError && v1Error.kind === 'unreachable')) {
    throw v1Error ?? new RegistryError('other', 'search failed');
  }
  return searchCatalog(deps, domain, remote, limit, auth);
}

/** Results, or undefined when the registry has no v1 search (so the catalog is tried). */
async function searchV1(
  http: HttpTransport,
  base: string,
  term: string,
  limit: number,
  auth?: RegistryAuth,
): Promise<SearchResult[] | undefined> {
  const url = `${base}/v1/search?q=${encodeURIComponent(term)}&n=${limit}`;
  let res = await http.request({ method: 'GET', url, headers: { 'X-Docker-Token': 'true' } });
  if (res.status === 401 && hasCredentials(auth)) {
    discard(res);
    res = await http.request({ method: 'GET', url, headers: { 'X-Docker-Token': 'true', Authorization: basicHeader(auth!) } });
  }
  if (res.status !== 200) {
    discard(res);
    if (isDockerHub(hostnameOf(new URL(base).host))) throw new RegistryError('other', `unexpected status code ${res.status}`, { status: res.status });
    return undefined;
  }
  let parsed: { results?: Array<Partial<SearchResult>> };
  try {
    parsed = JSON.parse((await readBody(res, 8 * 1024 * 1024)).toString('utf8'));
  } catch (err) {
    throw new RegistryError('other', `error decoding registry search results: ${(err as Error).message}`);
  }
  if (!parsed || !Array.isArray(parsed.results)) return undefined;
  return parsed.results.map((r) => ({
    name: String(r.name ?? ''),
    description: String(r.description ?? ''),
    star_count: Number(r.star_count ?? 0),
    is_official: !!r.is_official,
    is_automated: !!r.is_automated,
  }));
}

async function searchCatalog(deps: SearchDeps, domain: string, term: string, limit: number, auth?: RegistryAuth): Promise<SearchResult[]> {
  const base = deps.baseUrl(domain);
  const needle = term.toLowerCase();
  const out: SearchResult[] = [];
  let next: string | undefined = `${base}/v2/_catalog?n=${CATALOG_PAGE}`;
  for (let page = 0; next && page < CATALOG_MAX_PAGES && out.length < limit; page++) {
    const res: HttpResponse = await deps.sessions.send(base, ['registry:catalog:*'], auth, { method: 'GET', url: next });
    if (res.status !== 200) throw await errorFromResponse(res);
    const body = JSON.parse((await readBody(res, 16 * 1024 * 1024)).toString('utf8')) as { repositories?: string[] };
    const repos = Array.isArray(body.repositories) ? body.repositories : [];
    for (const name of repos) {
      if (out.length >= limit) break;
      if (name.toLowerCase().includes(needle)) {
        out.push({ name, description: '', star_count: 0, is_official: false, is_automated: false });
      }
    }
    next = nextLink(header(res, 'link'), next, repos);
  }
  return out;
}

/** The `rel="next"` of a Link header; without one, a full page continues after its last name. */
function nextLink(link: string | undefined, current: string, repos: string[]): string | undefined {
  if (link) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
    return m ? new URL(m[1]!, current).toString() : undefined;
  }
  if (repos.length < CATALOG_PAGE) return undefined;
  const u = new URL(current);
  u.searchParams.set('last', repos[repos.length - 1]!);
  return u.toString();
}
