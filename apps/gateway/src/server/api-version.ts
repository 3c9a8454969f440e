import type { IncomingMessage } from 'node:http';
import { DEFAULT_API_VERSION } from '@berth/engine-api';
import { checkVersionSupported } from '../versions/features';

const VERSION_PREFIX = /^\/v(\d+(?:\.\d+)*)(?=\/)/;

interface VersionedRequest extends IncomingMessage {
  berthApiVersion?: string;
  berthExplicitVersion?: boolean;
}

/**
 * Strips the `/v1.NN` prefix so each route is declared once, remembering the
 * version on the raw request.
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

/** Refuses a request whose version is outside the supported range (see versions/features.ts). */
export function checkApiVersion(req: IncomingMessage): void {
  checkVersionSupported(apiVersionOf(req));
}
