import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { versionAtLeast } from '@berth/engine-api';
import type { container } from '@berth/proto';
import type { Logger } from '@berth/logging';
import type { ServiceClients } from '../services/service-clients';
import { apiVersionOf } from '../server/api-version';
import { attachOptions } from './attach.hijack';
import { rejectHijack } from './hijack-session';
import { acceptKey, WebSocketConnection } from './websocket';

/**
 * `GET /containers/{id}/attach/ws`: the attach stream over a websocket.
 * Output is raw (stdout and stderr mixed, as dockerd's), in binary frames
 * from API 1.28 and text frames before; client frames go to stdin.
 */
export function handleWsAttach(services: ServiceClients, logger: Logger, req: IncomingMessage, socket: Duplex, head: Buffer, id: string): void {
  const key = String(req.headers['sec-websocket-key'] ?? '');
  if (!key || !/websocket/i.test(String(req.headers.upgrade ?? ''))) {
    rejectHijack(socket, Object.assign(new Error('websocket upgrade required'), { statusCode: 400 }));
    return;
  }
  const url = new URL(req.url ?? '/', 'http://berth');
  const opts = attachOptions(decodeURIComponent(id), url.searchParams);
  const call = services.containerStreams.attach();
  let ws: WebSocketConnection | undefined;
  call.on('data', (msg: container.AttachOutput) => {
    const out = msg.output;
    if (!out) return;
    if (out.$case === 'ready') {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
      ws = new WebSocketConnection(socket, versionAtLeast(apiVersionOf(req), '1.28') ? 0x2 : 0x1);
      if (head.length > 0) socket.unshift(head);
      ws.onMessage(
        (data) => call.write({ input: { $case: 'stdin', stdin: data } }),
        () => call.cancel(),
      );
    } else if (out.$case === 'chunk' && ws) {
      if (!ws.send(Buffer.from(out.chunk.data))) {
        call.pause();
        socket.once('drain', () => call.resume());
      }
    }
  });
  call.on('end', () => ws?.close());
  call.on('error', (err: Error & { code?: number }) => {
    if (!ws) rejectHijack(socket, err);
    else {
      if (err.code !== 1) logger.warn('websocket attach failed', { container: opts.id, error: err.message });
      ws.close();
    }
  });
  call.write({ input: { $case: 'open', open: opts } });
}
