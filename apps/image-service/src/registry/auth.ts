// WWW-Authenticate challenges and the token flow of the distribution auth spec
// (GET with basic credentials, or POST grant_type=refresh_token for an
// identity token), with tokens cached per realm, service, scope and account.
import { createHmac, randomBytes } from 'node:crypto';
import { RegistryError, urlErrorText } from './errors';
import { HttpTransport, readBody } from './http';
import { errorFromResponse } from './response-errors';

export interface RegistryAuth {
  username?: string;
  password?: string;
  /** A refresh token from an earlier login (`docker login` stores it as identitytoken). */
  identitytoken?: string;
  /** A bearer token to send as is. */
  registrytoken?: string;
  serveraddress?: string;
}

export interface Challenge {
  /** Lower-cased: `bearer`, `basic`. */
  scheme: string;
  /** Parameter names lower-cased. */
  params: Record<string, string>;
}

/** Parses one or more WWW-Authenticate header values (RFC 7235), several challenges per value allowed. */
export function parseChallenges(headerValue: string | string[] | undefined): Challenge[] {
  if (!headerValue) return [];
  const values = Array.isArray(headerValue) ? headerValue : [headerValue];
  const out: Challenge[] = [];
  for (const value of values) {
    let i = 0;
    let current: Challenge | undefined;
    const n = value.length;
    const skipWs = (): void => {
      while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    };
    const token = (): string => {
      const start = i;
      while (i < n && !/[\s,=]/.test(value[i]!)) i++;
      return value.slice(start, i);
    };
    while (i < n) {
      skipWs();
      if (value[i] === ',') {
        i++;
        continue;
      }
      const word = token();
      if (!word) {
        i++;
        continue;
      }
      skipWs();
      if (value[i] === '=' && current) {
        i++;
        skipWs();
        let v = '';
        if (value[i] === '"') {
          i++;
          while (i < n && value[i] !== '"') {
            if (value[i] === '\\' && i + 1 < n) i++;
            v += value[i];
            i++;
          }
          i++;
        } else {
          v = token();
        }
        current.params[word.toLowerCase()] = v;
      } else {
        current = { scheme: word.toLowerCase(), params: {} };
        out.push(current);
      }
    }
  }
  return out;
}

export function repositoryScope(path: string, actions: string[]): string {
  return `repository:${path}:${actions.join(',')}`;
}

export function hasCredentials(auth?: RegistryAuth): boolean {
  return !!auth && !!auth.username && !!auth.password;
}

export function basicHeader(auth: RegistryAuth): string {
  return 'Basic ' + Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64');
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface TokenResult {
  token: string;
  /** True when it came from the cache (a 401 may then mean it was revoked: fetch anew). */
  cached: boolean;
  /** A refresh token handed out by the token server (with offline access). */
  refreshToken?: string;
}

/** The token spec's minimum lifetime when `expires_in` is absent or smaller. */
const MIN_TOKEN_LIFETIME_S = 60;
const CLIENT_ID = 'docker';

export class TokenService {
  private readonly cache = new Map<string, CachedToken>();

  constructor(private readonly http: HttpTransport) {}

  /**
   * A bearer token for `scopes` from the challenge's realm. `forUrl`/`forMethod`
   * word failures like dockerd, whose token fetch happens inside the request:
   * `Get "https://registry-1.docker.io/v2/": unauthorized: incorrect username or password`.
   */
  async token(
    challenge: Challenge,
    scopes: string[],
    auth: RegistryAuth | undefined,
    forMethod: string,
    forUrl: string,
    opts: { fresh?: boolean; offline?: boolean } = {},
  ): Promise<TokenResult> {
    const realm = challenge.params['realm'];
    if (!realm) {
      throw new RegistryError('unauthorized', urlErrorText(forMethod, forUrl, 'no realm specified for token auth challenge'), {
        requestFailure: true,
      });
    }
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm, forUrl);
    } catch {
      throw new RegistryError('unauthorized', urlErrorText(forMethod, forUrl, `invalid token auth challenge realm: ${realm}`), {
        requestFailure: true,
      });
    }
    const service = challenge.params['service'] ?? '';
    const key = [realmUrl.toString(), service, scopes.join(' '), accountKey(auth)].join('|');
    if (!opts.fresh && !opts.offline) {
      const hit = this.cache.get(key);
      if (hit && hit.expiresAt > Date.now()) return { token: hit.token, cached: true };
    }
    let result: { token: string; expiresIn: number; refreshToken?: string };
    try {
      result = auth?.identitytoken
        ? await this.fetchWithRefreshToken(realmUrl, service, scopes, auth.identitytoken)
        : await this.fetchWithBasic(realmUrl, service, scopes, auth, !!opts.offline);
    } catch (err) {
      if (err instanceof RegistryError) throw err.withMessage(urlErrorText(forMethod, forUrl, err.message), true);
      throw err;
    }
    // Leave a margin so a token does not expire between cache lookup and use.
    const lifetime = Math.max(result.expiresIn, MIN_TOKEN_LIFETIME_S);
    this.cache.set(key, { token: result.token, expiresAt: Date.now() + lifetime * 1000 - 10_000 });
    return { token: result.token, cached: false, refreshToken: result.refreshToken };
  }

  private async fetchWithBasic(
    realm: URL,
    service: string,
    scopes: string[],
    auth: RegistryAuth | undefined,
    offline: boolean,
  ): Promise<{ token: string; expiresIn: number; refreshToken?: string }> {
    const url = new URL(realm.toString());
    if (service) url.searchParams.append('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (offline) {
      url.searchParams.append('offline_token', 'true');
      url.searchParams.append('client_id', CLIENT_ID);
    }
    if (hasCredentials(auth)) {
      url.searchParams.append('account', auth!.username!);
      headers['Authorization'] = basicHeader(auth!);
    }
    const res = await this.http.request({ method: 'GET', url: url.toString(), headers });
    if (res.status < 200 || res.status > 399) throw await errorFromResponse(res);
    const body = await readBody(res, 1024 * 1024);
    return parseTokenResponse(body);
  }

  private async fetchWithRefreshToken(
    realm: URL,
    service: string,
    scopes: string[],
    refreshToken: string,
  ): Promise<{ token: string; expiresIn: number; refreshToken?: string }> {
    const form = new URLSearchParams();
    form.set('scope', scopes.join(' '));
    form.set('service', service);
    form.set('client_id', CLIENT_ID);
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', refreshToken);
    const res = await this.http.request({
      method: 'POST',
      url: realm.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString()),
    });
    if (res.status < 200 || res.status > 399) throw await errorFromResponse(res);
    const body = await readBody(res, 1024 * 1024);
    return parseTokenResponse(body);
  }

  clear(): void {
    this.cache.clear();
  }
}

function parseTokenResponse(body: Buffer): { token: string; expiresIn: number; refreshToken?: string } {
  let tr: { token?: string; access_token?: string; expires_in?: number; refresh_token?: string };
  try {
    tr = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new RegistryError('unauthorized', `unable to decode token response: ${(err as Error).message}`);
  }
  const token = tr.access_token || tr.token;
  if (!token) throw new RegistryError('unauthorized', 'authorization server did not include a token in the response');
  return {
    token,
    expiresIn: typeof tr.expires_in === 'number' ? tr.expires_in : MIN_TOKEN_LIFETIME_S,
    refreshToken: tr.refresh_token || undefined,
  };
}

/** Keys this process's token cache: the hash of a password is not guessable offline without it. */
const ACCOUNT_KEY = randomBytes(32);

/** Identifies whose token it is without keeping the secret in the key. */
function accountKey(auth?: RegistryAuth): string {
  if (!auth) return '';
  const secret = `${auth.username ?? ''}\0${auth.password ?? ''}\0${auth.identitytoken ?? ''}`;
  if (secret === '\0\0') return '';
  return createHmac('sha256', ACCOUNT_KEY).update(secret).digest('hex');
}
