import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, GoDecodeError, GoType, decodeGoJson, goJsonSyntax } from '@berth/engine-api';

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
      done(null, parseJsonBody(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // Any other type (tar archives, plain text) reaches the route as the raw stream.
  fastify.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
}

/**
 * The first JSON value of a body, as dockerd's ReadJSON reads it with a
 * json.Decoder: malformed, a 400 in Go's words; followed by more than
 * whitespace, a 400 too, unless what follows starts with a closing bracket
 * (json.Decoder.More's answer, kept as it is).
 */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const syntax = goJsonSyntax(text);
    if (syntax.error !== undefined) throw ApiError.badRequest(`invalid JSON: ${syntax.error}`);
    const rest = text.slice(syntax.end).trimStart();
    if (rest !== '' && rest[0] !== '}' && rest[0] !== ']') throw ApiError.badRequest('unexpected content after JSON');
    return JSON.parse(text.slice(0, syntax.end));
  }
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

/**
 * A parsed JSON value read as dockerd's encoding/json reads it into the Go
 * struct `type` (see @berth/engine-api's request-types): canonical field
 * names, unknown fields dropped, every value of its declared type. A wrong
 * type is dockerd's 400 "invalid JSON: json: cannot unmarshal ...", so no
 * handler ever sees a value of another type than the Engine API's.
 */
export function decodeAs<T>(value: unknown, type: GoType): T {
  try {
    return decodeGoJson<T>(value, type);
  } catch (err) {
    if (err instanceof GoDecodeError) throw ApiError.badRequest(`invalid JSON: ${err.message}`);
    throw err;
  }
}

/** The JSON body of a route, checked as jsonBody does, then decoded into `type`; undefined when there is none. */
export function decodedBody<T>(req: FastifyRequest, type: GoType): T | undefined {
  if (isStream(req.body)) return jsonBody<T>(req);
  if (req.body === undefined) return undefined;
  return decodeAs<T>(req.body, type);
}
