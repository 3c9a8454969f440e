import type { IncomingMessage } from 'node:http';
import { DEFAULT_API_VERSION, MAX_API_VERSION, MIN_API_VERSION, compareVersions, ApiError } from '@berth/engine-api';

const VERSION_PREFIX = /^\/v(\d+(?:\.\d+)*)(?=\/)/;

interface VersionedRequest extends IncomingMessage {
  berthApiVersion?: string;
  berthExplicitVersion?: boolean;
}

/**
 * Strips the `/v1.NN` prefix so each route is declared once, remembering the
 * version on the raw request. Used as Fastify's rewriteUrl.
 */
export function rewriteVersionedUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const m = VERSION_PREFIX.exec(url);
  const vreq = req as VersionedRequest;
  if (m) {
    vreq.berthApiVersion = m[1];
    vreq.berthExplicitVersion = true;
    return url.slice(m[0].length);
  }
  vreq.berthApiVersion = DEFAULT_API_VERSION;
  return url;
}

export function apiVersionOf(req: IncomingMessage): string {
  return (req as VersionedRequest).berthApiVersion ?? DEFAULT_API_VERSION;
}

/** dockerd refuses versions outside its range before routing; the wording is what clients show. */
export function checkApiVersion(req: IncomingMessage): void {
  const version = apiVersionOf(req);
  if (compareVersions(version, MAX_API_VERSION) > 0) {
    throw ApiError.badRequest(`client version ${version} is too new. Maximum supported API version is ${MAX_API_VERSION}`);
  }
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw ApiError.badRequest(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
}
