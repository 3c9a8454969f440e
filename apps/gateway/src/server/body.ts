import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '@berth/engine-api';

/**
 * JSON bodies as dockerd reads them: an empty body is "no options", a
 * malformed one is a 400 with the parser's complaint, never a 500.
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(['application/json', 'text/json'], { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(ApiError.badRequest(err instanceof Error ? err.message : 'invalid JSON'), undefined);
    }
  });
  // Any other type (tar archives, plain text) reaches the route as the raw stream.
  fastify.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
}

function isStream(body: unknown): body is NodeJS.ReadableStream {
  return typeof body === 'object' && body !== null && typeof (body as NodeJS.ReadableStream).pipe === 'function';
}

/**
 * The JSON body of a route that takes one, checked as dockerd's CheckForJSON:
 * another Content-Type with a body is refused.
 */
export function jsonBody<T>(req: FastifyRequest): T | undefined {
  if (isStream(req.body)) {
    const contentType = req.headers['content-type'] ?? '';
    const length = Number(req.headers['content-length'] ?? '0');
    (req.body as NodeJS.ReadableStream).resume();
    if (length === 0 && !req.headers['transfer-encoding']) return undefined;
    throw ApiError.badRequest(`Content-Type specified (${contentType}) must be 'application/json'`);
  }
  if (req.body === undefined || req.body === null) return undefined;
  if (typeof req.body !== 'object' || Array.isArray(req.body)) throw ApiError.badRequest('invalid JSON body: expected an object');
  return req.body as T;
}
