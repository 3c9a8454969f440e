import * as http from 'node:http';
import type { Socket } from 'node:net';
import { COMMON_HEADERS } from './identity';

/**
 * Connections served at once, over every listener of the gateway: each is a
 * file descriptor, and a client that opens thousands and sends nothing must
 * not take them all.
 */
export class ConnectionLimiter {
  private open = 0;

  /** `max` 0 means no limit. */
  constructor(readonly max: number) {}

  /** Counts one more connection; false (and nothing counted) when `max` are open already. */
  tryAcquire(): boolean {
    if (this.max > 0 && this.open >= this.max) return false;
    this.open += 1;
    return true;
  }

  release(): void {
    if (this.open > 0) this.open -= 1;
  }

  get count(): number {
    return this.open;
  }
}

/** A whole HTTP response written straight to a socket, Docker's JSON error body, closing the connection. */
export function rawJsonResponse(status: number, message: string, extra: Record<string, string> = {}): string {
  const body = JSON.stringify({ message }) + '\n';
  const headers = { ...COMMON_HEADERS, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...extra };
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
}

export function tooManyConnectionsMessage(max: number): string {
  return `too many connections: the Engine API serves at most ${max} at once (BERTH_MAX_CONNECTIONS); try again later`;
}

/** How long a refused client has to read its answer before the connection is dropped. */
const REFUSAL_LINGER_MS = 2000;

/**
 * Connections past the limit get a 503 with Docker's JSON body and are
 * closed; the HTTP server never serves a request from them (`refused`,
 * checked by the request and upgrade handlers). Counted at the TLS
 * handshake's end on a TLS listener, where an answer can still be read
 * (the handshake itself is bounded by the server's handshakeTimeout).
 */
export function limitConnections(server: http.Server, limiter: ConnectionLimiter, refused: WeakSet<Socket>, secure: boolean): void {
  server.prependListener(secure ? 'secureConnection' : 'connection', (socket: Socket) => {
    if (!limiter.tryAcquire()) {
      refused.add(socket);
      socket.on('error', () => undefined);
      socket.end(rawJsonResponse(503, tooManyConnectionsMessage(limiter.max)));
      const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
      socket.once('close', () => clearTimeout(timer));
      return;
    }
    socket.once('close', () => limiter.release());
  });
}

export interface SlowClientTimeouts {
  /** Longest a request's head or body may go without a byte arriving. */
  bodyTimeoutMs: number;
  /** Longest a keep-alive connection may wait for its next request. */
  idleTimeoutMs: number;
}

/** Options of http(s).createServer that go with guardSlowClients. */
export function slowClientServerOptions(t: SlowClientTimeouts): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  return {
    // The whole head within the body timeout: it is small, a slow one is an attack.
    headersTimeout: t.bodyTimeoutMs,
    // No limit on a whole request: a large `docker load` may take as long as it takes while it makes progress.
    requestTimeout: 0,
    keepAliveTimeout: t.idleTimeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(t.bodyTimeoutMs / 2))),
  };
}

/**
 * Cuts connections that hold the gateway without progress: a request whose
 * head or body stops arriving for `bodyTimeoutMs`, and a keep-alive
 * connection idle between requests for `idleTimeoutMs`. Once a request has
 * arrived whole, its response may take as long as it likes in silence
 * (events, logs -f, wait, stats, pull progress); hijacked connections
 * (attach, exec, websocket) leave the HTTP server and are never timed here.
 *
 * The socket's inactivity timeout (server.timeout) measures the progress;
 * Node re-arms it on every byte either way, resets it to server.timeout for
 * each new request and to keepAliveTimeout between requests, and hands the
 * decision to the server's 'timeout' listener.
 */
export function guardSlowClients(server: http.Server, t: SlowClientTimeouts): void {
  server.timeout = t.bodyTimeoutMs;
  const current = new WeakMap<Socket, { req: http.IncomingMessage; res: http.ServerResponse }>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const exchange = { req, res };
    current.set(req.socket, exchange);
    res.once('finish', () => {
      if (current.get(req.socket) === exchange) current.delete(req.socket);
    });
  });
  server.on('timeout', (socket: Socket) => {
    const exchange = current.get(socket);
    if (exchange && !exchange.res.writableFinished) {
      // The request is in and its answer is still being made or streamed.
      if (exchange.req.complete) return;
      // Body bytes wait unread on our side (a `docker load` whose consumer is
      // busy): the silence is ours, not the client's.
      // Node emits 'timeout' once per silence: arm it again, or a client
      // that then stays silent would never be cut.
      if (exchange.req.readableLength > 0) {
        socket.setTimeout(t.bodyTimeoutMs);
        return;
      }
    }
    socket.destroy();
  });
}
