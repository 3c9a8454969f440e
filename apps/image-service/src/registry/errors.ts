// Errors of the registry client, worded like dockerd's so the gateway can pass
// `message` through unchanged.

export type RegistryErrorKind = 'not-found' | 'unauthorized' | 'denied' | 'unreachable' | 'invalid' | 'other';

/** One entry of a distribution API error body (`{"errors":[{code,message,detail}]}`). */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
  readonly kind: RegistryErrorKind;
  /** The registry's first error code (`MANIFEST_UNKNOWN`, `DENIED`...), when it answered with one. */
  readonly code?: string;
  /** HTTP status of the failed response, when there was one. */
  readonly status?: number;
  /** Every error the registry listed, in order. */
  readonly errors: RegistryErrorEntry[];
  /**
   * True when the message is Go url.Error-shaped (`Get "url": cause`): a
   * transport, credential or token-server failure rather than the registry's
   * answer to the operation itself. dockerd does not reword those.
   */
  readonly requestFailure: boolean;

  constructor(
    kind: RegistryErrorKind,
    message: string,
    extra: { code?: string; status?: number; errors?: RegistryErrorEntry[]; cause?: unknown; requestFailure?: boolean } = {},
  ) {
    super(message, extra.cause !== undefined ? { cause: extra.cause } : undefined);
    this.kind = kind;
    this.code = extra.code;
    this.status = extra.status;
    this.errors = extra.errors ?? [];
    this.requestFailure = extra.requestFailure ?? false;
  }

  /** Same error, other wording (keeps kind, code, status). */
  withMessage(message: string, requestFailure = this.requestFailure): RegistryError {
    return new RegistryError(this.kind, message, {
      code: this.code,
      status: this.status,
      errors: this.errors,
      cause: this,
      requestFailure,
    });
  }
}

export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof RegistryError;
}

/** distribution's errcode rendering: `MANIFEST_UNKNOWN` -> `manifest unknown`. */
export function codeText(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** `code text: message`, as errcode.Error.Error() prints it. */
export function entryText(e: RegistryErrorEntry): string {
  return `${codeText(e.code)}: ${e.message}`;
}

const KIND_BY_CODE: Record<string, RegistryErrorKind> = {
  MANIFEST_UNKNOWN: 'not-found',
  BLOB_UNKNOWN: 'not-found',
  NAME_UNKNOWN: 'not-found',
  BLOB_UPLOAD_UNKNOWN: 'not-found',
  UNAUTHORIZED: 'unauthorized',
  DENIED: 'denied',
  MANIFEST_INVALID: 'invalid',
  MANIFEST_UNVERIFIED: 'invalid',
  MANIFEST_BLOB_UNKNOWN: 'invalid',
  DIGEST_INVALID: 'invalid',
  NAME_INVALID: 'invalid',
  TAG_INVALID: 'invalid',
  SIZE_INVALID: 'invalid',
  RANGE_INVALID: 'invalid',
  BLOB_UPLOAD_INVALID: 'invalid',
  PAGINATION_NUMBER_INVALID: 'invalid',
  UNSUPPORTED: 'invalid',
};

export function kindForCode(code: string, status?: number): RegistryErrorKind {
  const k = KIND_BY_CODE[code];
  if (k) return k;
  if (status === 404) return 'not-found';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'denied';
  return 'other';
}

/** Go's url.Error operation name: `GET` -> `Get`. */
export function goOp(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

/** Prefix as Go's url.Error does: `Get "http://h/v2/": <cause>`. */
export function urlErrorText(method: string, url: string, cause: string): string {
  return `${goOp(method)} "${withoutPassword(url)}": ${cause}`;
}

/** A URL as Go's HTTP client shows it in errors: a password in its user info becomes `***`. */
export function withoutPassword(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
  }
  if (u.password === '') return url;
  u.password = '***';
  return u.toString();
}

function hostPort(address: string | undefined, port: number | string | undefined, fallbackHost: string): string {
  const host = address ?? fallbackHost;
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return port !== undefined && port !== '' ? `${h}:${port}` : h;
}

/**
 * Words a Node socket/TLS error the way Go's net and crypto/tls packages do,
 * since dockerd's messages (and what users grep for) look like that.
 */
export function goNetErrorText(err: unknown, target: URL): string {
  const e = (err ?? {}) as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  const code = e.code ?? '';
  const defaultPort = target.protocol === 'https:' ? '443' : '80';
  const port = e.port ?? (target.port || defaultPort);
  const hostname = target.hostname.replace(/^\[|\]$/g, '');
  const addr = hostPort(e.address, port, hostname);
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT':
    case 'ECONNECTTIMEOUT':
      return `dial tcp ${addr}: i/o timeout`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${hostname}: no such host`;
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${hostname}: temporary failure in name resolution`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'EPIPE':
      return `write tcp ${addr}: write: broken pipe`;
    case 'ERESPONSETIMEOUT':
      return 'net/http: timeout awaiting response headers';
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return 'http: server gave HTTP response to HTTPS client';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is not valid for ${hostname}`;
    default:
      if (typeof e.message === 'string' && /wrong version number|packet length too long/i.test(e.message)) {
        return 'http: server gave HTTP response to HTTPS client';
      }
      return e.message || String(err);
  }
}

/** A transport failure (no HTTP response) as a RegistryError, Go-worded. */
export function transportError(method: string, url: string, err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  return new RegistryError('unreachable', urlErrorText(method, url, goNetErrorText(err, new URL(url))), {
    cause: err,
    requestFailure: true,
  });
}
