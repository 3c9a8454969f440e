// HTTP requests to registries over node:http/https: redirects (without leaking
// Authorization to another host), a connect/response-header timeout but none on
// bodies, streamed request and response bodies.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import { RegistryError, transportError } from './errors';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A Buffer, or a factory opening a fresh stream (called again if a 307/308 redirect repeats the request). */
  body?: Buffer | (() => NodeJS.ReadableStream);
  /** Follow 3xx answers (default true). */
  followRedirects?: boolean;
}

export interface HttpResponse {
  /** Method of the request that got this answer. */
  method: string;
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  /** URL that answered (after redirects). */
  url: string;
  /** URL first asked for. */
  requestUrl: string;
  body: http.IncomingMessage;
}

export interface HttpTransportOptions {
  userAgent?: string;
  /** Connect timeout, and how long to wait for response headers once the request is sent. */
  timeoutMs?: number;
  maxRedirects?: number;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

export class HttpTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;

  constructor(opts: HttpTransportOptions = {}) {
    this.userAgent = opts.userAgent ?? 'berth';
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxRedirects = opts.maxRedirects ?? 10;
  }

  /** Rejects with a Go-worded RegistryError (kind unreachable) when no response arrives. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    let method = req.method.toUpperCase();
    let url = new URL(req.url);
    const origin = url.host;
    let body = req.body;
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...(req.headers ?? {}) };
    for (let hop = 0; ; hop++) {
      const hopHeaders = { ...headers };
      // Go's client drops Authorization on a redirect to another host; blob
      // downloads redirect to storage that would reject (or log) our token.
      if (url.host !== origin) {
        for (const k of Object.keys(hopHeaders)) if (k.toLowerCase() === 'authorization') delete hopHeaders[k];
      }
      const res = await this.once(method, url, hopHeaders, body);
      if (req.followRedirects === false || !REDIRECT.has(res.statusCode ?? 0) || !res.headers.location) {
        return {
          method,
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          url: url.toString(),
          requestUrl: req.url,
          body: res,
        };
      }
      res.resume();
      if (hop >= this.maxRedirects) {
        throw transportError(method, url.toString(), new Error(`stopped after ${this.maxRedirects} redirects`));
      }
      const status = res.statusCode!;
      url = new URL(res.headers.location, url);
      if (status === 303 || ((status === 301 || status === 302) && method !== 'GET' && method !== 'HEAD')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        for (const k of Object.keys(headers)) {
          if (/^content-(type|length)$/i.test(k)) delete headers[k];
        }
      }
    }
  }

  private once(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: HttpRequest['body'],
  ): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const isHttps = url.protocol === 'https:';
      const mod = isHttps ? https : http;
      const h: Record<string, string> = { ...headers };
      if (Buffer.isBuffer(body)) h['Content-Length'] = String(body.length);
      else if (!body && (method === 'PUT' || method === 'POST' || method === 'PATCH') && !hasHeader(h, 'content-length')) {
        h['Content-Length'] = '0';
      }
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const fail = (err: unknown): void => {
        if (timer) clearTimeout(timer);
        if (settled) return;
        settled = true;
        reject(transportError(method, url.toString(), err));
      };
      const req = mod.request(url, { method, headers: h, agent: isHttps ? this.httpsAgent : this.httpAgent });
      const arm = (code: string): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          const err = Object.assign(new Error(code), { code });
          req.destroy(err);
        }, this.timeoutMs);
      };
      let connecting = false;
      req.on('socket', (socket) => {
        if ((socket as { connecting?: boolean }).connecting) {
          connecting = true;
          arm('ECONNECTTIMEOUT');
          socket.once(isHttps ? 'secureConnect' : 'connect', () => {
            connecting = false;
            if (req.writableFinished) arm('ERESPONSETIMEOUT');
            else if (timer) clearTimeout(timer);
          });
        }
      });
      req.on('finish', () => {
        if (!connecting) arm('ERESPONSETIMEOUT');
      });
      req.on('error', fail);
      let src: Readable | undefined;
      req.on('response', (res) => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        settled = true;
        // An early answer (401, 4xx) leaves the upload unread: stop reading the
        // source so a retry can open a fresh one and nothing stays open.
        if (src && !src.readableEnded) {
          src.unpipe(req);
          src.destroy();
        }
        resolve(res);
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        src = body() as Readable;
        src.on('error', (err) => {
          req.destroy(err);
        });
        src.pipe(req);
      }
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function hasHeader(h: Record<string, string>, name: string): boolean {
  return Object.keys(h).some((k) => k.toLowerCase() === name);
}

/** Reads a (small) body fully; rejects beyond `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > limit) {
        res.body.destroy();
        throw new RegistryError('invalid', `response body from ${res.url} exceeds ${limit} bytes`);
      }
      chunks.push(b);
    }
  } catch (err) {
    throw transportError(res.method, res.url, err);
  }
  return Buffer.concat(chunks);
}

/** Lets the connection go back to the pool without reading what is left. */
export function discard(res: HttpResponse): void {
  res.body.resume();
}

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
