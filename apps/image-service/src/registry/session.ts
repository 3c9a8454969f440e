// Sends requests to one registry with the right Authorization: ping /v2/ once
// for its challenges (anonymous first), then bearer token or basic credentials,
// and one retry when a 401 says the cached token or the anonymous try is stale.
import { Challenge, RegistryAuth, TokenService, basicHeader, hasCredentials, parseChallenges } from './auth';
import { RegistryError, urlErrorText } from './errors';
import { HttpRequest, HttpResponse, HttpTransport, discard, header } from './http';

const PING_TTL_MS = 10 * 60 * 1000;

interface PingEntry {
  at: number;
  challenges: Promise<Challenge[]>;
}

interface Authorization {
  header?: string;
  /** The token came from the cache: a 401 is worth one retry with a fresh one. */
  cached: boolean;
  refreshToken?: string;
}

export class RegistrySessions {
  private readonly pings = new Map<string, PingEntry>();

  constructor(
    private readonly http: HttpTransport,
    readonly tokens: TokenService,
  ) {}

  /** The auth challenges of `baseUrl/v2/` (empty when anonymous access is allowed). Cached a while. */
  challenges(baseUrl: string, fresh = false): Promise<Challenge[]> {
    const hit = this.pings.get(baseUrl);
    if (hit && !fresh && Date.now() - hit.at < PING_TTL_MS) return hit.challenges;
    const challenges = this.ping(baseUrl);
    const entry = { at: Date.now(), challenges };
    this.pings.set(baseUrl, entry);
    challenges.catch(() => {
      if (this.pings.get(baseUrl) === entry) this.pings.delete(baseUrl);
    });
    return challenges;
  }

  private async ping(baseUrl: string): Promise<Challenge[]> {
    const res = await this.http.request({ method: 'GET', url: `${baseUrl}/v2/` });
    discard(res);
    return res.status === 401 ? usable(parseChallenges(res.headers['www-authenticate'])) : [];
  }

  /**
   * The Authorization header for a request under `challenges`, or a Go-worded
   * error (`Get "url": no basic auth credentials`) as dockerd gives before sending.
   */
  async authorize(
    challenges: Challenge[],
    scopes: string[],
    auth: RegistryAuth | undefined,
    method: string,
    url: string,
    opts: { fresh?: boolean; offline?: boolean } = {},
  ): Promise<Authorization> {
    if (auth?.registrytoken) return { header: `Bearer ${auth.registrytoken}`, cached: false };
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      const t = await this.tokens.token(bearer, scopes, auth, method, url, opts);
      return { header: `Bearer ${t.token}`, cached: t.cached, refreshToken: t.refreshToken };
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!hasCredentials(auth)) {
        throw new RegistryError('unauthorized', urlErrorText(method, url, 'no basic auth credentials'), {
          code: 'UNAUTHORIZED',
          requestFailure: true,
        });
      }
      return { header: basicHeader(auth!), cached: false };
    }
    return { cached: false };
  }

  /**
   * Sends `req` to the registry at `baseUrl` with access `scopes`
   * (`repository:library/busybox:pull`). Returns any response, errors included:
   * the caller decides which statuses are success.
   */
  async send(baseUrl: string, scopes: string[], auth: RegistryAuth | undefined, req: HttpRequest): Promise<HttpResponse> {
    const sameHost = new URL(req.url).host === new URL(baseUrl).host;
    let challenges = sameHost ? await this.challenges(baseUrl) : [];
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      const authz = sameHost ? await this.authorize(challenges, scopes, auth, req.method, req.url, { fresh }) : { cached: false };
      const headers = { ...(req.headers ?? {}) };
      if (authz.header) headers['Authorization'] = authz.header;
      const res = await this.http.request({ ...req, headers });
      if (res.status !== 401 || attempt > 0 || !sameHost) return res;
      const offered = usable(parseChallenges(header(res, 'www-authenticate')));
      // Retry once: when we went anonymous (the ping allowed it, this path does
      // not) or with a cached token the registry no longer takes. A fresh token
      // refused again means it grants less than asked: that 401 is the answer.
      if (authz.header && !authz.cached) return res;
      if (!authz.header && offered.length === 0) return res;
      if (!authz.header) {
        challenges = offered;
        this.pings.set(baseUrl, { at: Date.now(), challenges: Promise.resolve(offered) });
      }
      fresh = true;
      discard(res);
    }
  }

  forget(baseUrl?: string): void {
    if (baseUrl) this.pings.delete(baseUrl);
    else this.pings.clear();
  }
}

function usable(challenges: Challenge[]): Challenge[] {
  return challenges.filter((c) => c.scheme === 'bearer' || c.scheme === 'basic');
}
