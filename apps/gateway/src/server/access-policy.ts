import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost, isWildcardHost } from '@berth/config';

/** dockerd's CORS middleware answers with these, whatever the route. */
export const CORS_ALLOW_HEADERS = 'Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth';
export const CORS_ALLOW_METHODS = 'HEAD, GET, POST, DELETE, PUT, OPTIONS';

export type AccessDecision =
  | { refused: { status: number; message: string } }
  | { refused?: undefined; cors?: Record<string, string>; preflight: boolean };

/** The name in a Host header: lower case, without port, brackets or a trailing dot. */
export function hostName(header: string): string {
  let h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end > 0 ? h.slice(1, end) : h.slice(1);
  } else if (/^[^:]*:\d*$/.test(h)) {
    // name:port; a bare IPv6 address (several colons) stays whole
    h = h.slice(0, h.indexOf(':'));
  }
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** What the machine answers to, for a listener bound to every address. */
export interface MachineNames {
  hostname: string;
  addresses: string[];
}

/**
 * The names a TCP listener answers to in the Host header: its bound address;
 * localhost and the loopback addresses when bound to loopback or to every
 * address; the machine's hostname and addresses when bound to every address;
 * the names in its TLS certificate; and the configured extra names. A web
 * page that rebinds its own name to this address sends its own name, which
 * is none of these.
 */
export function listenerHostNames(bindHost: string, machine: MachineNames, extra: readonly string[] = [], certNames: readonly string[] = []): Set<string> {
  const names = new Set<string>([hostName(bindHost)]);
  const wildcard = isWildcardHost(bindHost);
  if (wildcard || isLoopbackHost(bindHost)) for (const n of ['localhost', '127.0.0.1', '::1']) names.add(n);
  if (wildcard) {
    const host = machine.hostname.toLowerCase();
    if (host) {
      names.add(host);
      names.add(host.split('.')[0]);
    }
    for (const a of machine.addresses) names.add(a.toLowerCase());
  }
  for (const n of [...extra, ...certNames]) names.add(hostName(n));
  names.delete('');
  return names;
}

/** `DNS:a, IP Address:1.2.3.4` (X509Certificate.subjectAltName) as plain names. */
export function certificateNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName.split(',').map((s) => s.trim())
    .map((s) => /^(?:DNS|IP Address):(.+)$/.exec(s)?.[1]?.trim() ?? '')
    .filter((n) => n !== '' && !n.includes('*'));
}

function normalOrigin(origin: string): string {
  const o = origin.trim().toLowerCase();
  return o.endsWith('/') ? o.slice(0, -1) : o;
}

export interface AccessPolicyOptions {
  /** Names accepted in the Host header; undefined accepts any (the unix socket: no browser reaches it by name). */
  hosts?: ReadonlySet<string>;
  /** Origins allowed to use the API from a browser; `*` allows any (dockerd's --api-cors-header). */
  corsOrigins: readonly string[];
  /** The setting that lists extra Host names, named in refusals. */
  hostsSetting?: string;
}

/**
 * Who may use a listener by what the request says about where it comes
 * from. Docker clients never send Origin; browsers always do, and a page
 * can make one send a text/plain POST anywhere without asking first. So a
 * request with an Origin is refused unless that origin is listed, and on
 * TCP a Host that is not one of the listener's names (DNS rebinding) is too.
 */
export class AccessPolicy {
  private readonly origins: Set<string>;
  private readonly anyOrigin: boolean;

  constructor(private readonly options: AccessPolicyOptions) {
    this.origins = new Set(options.corsOrigins.map(normalOrigin));
    this.anyOrigin = this.origins.has('*');
  }

  decide(method: string | undefined, headers: IncomingHttpHeaders): AccessDecision {
    const host = headers.host;
    // HTTP/1.0 clients may send no Host at all; browsers always send one.
    if (this.options.hosts && host !== undefined && !this.options.hosts.has(hostName(host))) {
      return {
        refused: {
          status: 403,
          message: `refusing a request for host "${host}": not a name or address of this listener `
            + `(a web page rebinding its name to this address looks like this); list the name in ${this.options.hostsSetting ?? 'BERTH_TCP_HOSTS'} to allow it`,
        },
      };
    }
    const origin = headers.origin;
    if (origin === undefined) return { preflight: false };
    if (!this.anyOrigin && !this.origins.has(normalOrigin(origin))) {
      return {
        refused: {
          status: 403,
          message: `refusing a cross-origin request from "${origin}": browsers may use the Engine API only from origins listed in BERTH_API_CORS_ORIGINS`,
        },
      };
    }
    const cors: Record<string, string> = {
      'Access-Control-Allow-Origin': this.anyOrigin ? '*' : origin,
      'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
      'Access-Control-Allow-Methods': CORS_ALLOW_METHODS,
    };
    if (!this.anyOrigin) cors.Vary = 'Origin';
    return { cors, preflight: method === 'OPTIONS' };
  }
}
