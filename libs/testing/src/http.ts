import * as http from 'node:http';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  raw: Buffer;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

export type RequestBody = string | Buffer | object | undefined;

/**
 * One HTTP request over a unix socket, like `curl --unix-socket`. An object
 * body is sent as JSON. No keep-alive: every call is a fresh connection, as
 * the Docker CLI makes them.
 */
export function unixRequest(socketPath: string, method: string, path: string, body?: RequestBody, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<HttpResponse> {
  let payload: Buffer | undefined;
  const hdrs: Record<string, string> = { Host: 'localhost', ...headers };
  if (Buffer.isBuffer(body)) payload = body;
  else if (typeof body === 'string') payload = Buffer.from(body);
  else if (body !== undefined) {
    payload = Buffer.from(JSON.stringify(body));
    if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type')) hdrs['Content-Type'] = 'application/json';
  }
  if (payload) hdrs['Content-Length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: hdrs, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text,
          raw,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
