import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { HijackBackend, stdinFeeder } from './hijack-session';

/**
 * The largest client message taken: stdin arrives in small pieces, and a
 * client may not make the gateway buffer whatever length it declares. A
 * larger message closes the connection (1009, message too big).
 */
export const WS_MAX_PAYLOAD = 1024 * 1024;

/** What the ws package accepts as an opening handshake, checked before any work starts. */
export function isWebSocketHandshake(req: IncomingMessage): boolean {
  const key = String(req.headers['sec-websocket-key'] ?? '');
  const version = String(req.headers['sec-websocket-version'] ?? '');
  return req.method === 'GET'
    && String(req.headers.upgrade ?? '').toLowerCase() === 'websocket'
    && /^[+/0-9A-Za-z]{22}==$/.test(key)
    && (version === '13' || version === '8');
}

/** Websocket upgrades of hijacked requests (no HTTP server of its own, no client tracking). */
export function webSocketServer(): WebSocketServer {
  return new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: WS_MAX_PAYLOAD });
}

/**
 * Answers the handshake (101 Switching Protocols) and wraps the connection;
 * undefined when the client went away meanwhile.
 */
export function acceptWebSocket(server: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, binary: boolean): WebSocketClient | undefined {
  let client: WebSocketClient | undefined;
  // Without verifyClient, ws completes the upgrade before handleUpgrade returns.
  server.handleUpgrade(req, socket, head, (ws) => {
    client = new WebSocketClient(ws, socket, binary);
  });
  return client;
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
