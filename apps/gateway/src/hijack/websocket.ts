import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { toApiError } from '@berth/engine-api';
import { COMMON_HEADERS } from '../server/identity';
import { redactError } from '../server/redact';
import { HijackBackend, stdinFeeder } from './hijack-session';

/**
 * The largest client message taken: stdin arrives in small pieces, and a
 * client may not make the gateway buffer whatever length it declares. A
 * larger message closes the connection (1009, message too big).
 */
export const WS_MAX_PAYLOAD = 1024 * 1024;

/**
 * Decides, once the ws package has found the handshake valid, whether the
 * connection is accepted: the backend is asked first, so a missing container
 * is a plain 404 and no work starts for an invalid handshake.
 */
export type HandshakeGate = (accept: () => void, refuse: (err: unknown) => void) => void;

const gates = new WeakMap<IncomingMessage, HandshakeGate>();

function errorHeaders(): Record<string, string> {
  return { ...COMMON_HEADERS, 'Content-Type': 'application/json' };
}

/**
 * Websocket upgrades of hijacked requests (no HTTP server of its own, no
 * client tracking). The handshake is validated by ws itself (method,
 * Upgrade, Sec-WebSocket-Key, Sec-WebSocket-Version, protocols): an invalid
 * one is a 400 with Docker's JSON body, before the gate is asked.
 */
export function webSocketServer(): WebSocketServer {
  const server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: WS_MAX_PAYLOAD,
    // The one hook ws calls after its own checks and before it answers 101:
    // where the attach asks container-service whether the container exists.
    verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void) => {
      const gate = gates.get(info.req);
      if (!gate) return done(true);
      gate(() => done(true), (err) => {
        const api = toApiError(err);
        done(false, api.statusCode, JSON.stringify({ message: redactError(api.statusCode, api.message) }) + '\n', errorHeaders());
      });
    },
  });
  server.on('wsClientError', (err: Error, socket: Duplex) => {
    const body = JSON.stringify({ message: `invalid websocket handshake: ${err.message}` }) + '\n';
    const headers = { ...errorHeaders(), 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
    socket.end(`HTTP/1.1 400 Bad Request\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
  });
  return server;
}

/**
 * Completes the opening handshake (101 Switching Protocols) once ws found it
 * valid and `gate` accepted; `onOpen` receives the wrapped connection. If
 * the client goes away meanwhile, onOpen is never called.
 */
export function openWebSocket(
  server: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, binary: boolean,
  gate: HandshakeGate, onOpen: (client: WebSocketClient) => void,
): void {
  gates.set(req, gate);
  server.handleUpgrade(req, socket, head, (ws) => onOpen(new WebSocketClient(ws, socket, binary)));
}

/** A websocket attach client: output as binary (or, before API 1.28, text) messages, its messages to stdin. */
export class WebSocketClient {
  constructor(private readonly ws: WebSocket, private readonly socket: Duplex, private readonly binary: boolean) {
    // Protocol errors (a message over maxPayload among them) close the connection; 'close' follows.
    ws.on('error', () => undefined);
  }

  pipeInput(backend: HijackBackend): void {
    // paused (the socket underneath) while the call behind is full
    this.ws.on('message', stdinFeeder(this.ws, backend));
    this.ws.on('close', () => backend.cancel());
  }

  /** Output is raw, stdout and stderr mixed, as dockerd's; false means the client is slow. */
  output(_stream: number, data: Buffer): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return true;
    this.ws.send(data, { binary: this.binary });
    return !this.socket.writableNeedDrain;
  }

  onDrain(fn: () => void): void {
    this.socket.once('drain', fn);
  }

  end(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }
}
