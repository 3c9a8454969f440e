import type { FastifyRequest } from 'fastify';
import { ApiError, AUTH_CONFIG, GoDecodeError, decodeGoJson } from '@berth/engine-api';

/**
 * The X-Registry-Auth header (base64url of an AuthConfig), decoded as
 * dockerd decodes it and passed on re-encoded with canonical, well-typed
 * fields, so image-service never reads `"username": 5`. A header that is not
 * base64 JSON is ignored (no credentials), as dockerd 20.10 does; a wrongly
 * typed field is a 400.
 */
export function registryAuthOf(req: FastifyRequest): string {
  const raw = req.headers['x-registry-auth'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (!header) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    return '';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return '';
  try {
    return Buffer.from(JSON.stringify(decodeGoJson(parsed, AUTH_CONFIG))).toString('base64url');
  } catch (err) {
    if (err instanceof GoDecodeError) throw ApiError.badRequest(`invalid X-Registry-Auth header: ${err.message}`);
    throw err;
  }
}
