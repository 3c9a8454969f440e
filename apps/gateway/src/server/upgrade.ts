import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { rewriteVersionedUrl } from './api-version';
import { serveUpgradeAsRequest } from './upgrade-fallback';

type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, match: RegExpExecArray) => void;

/**
 * A hijack request's body (exec start's JSON) is read off the socket by the
 * route after Node handed the connection over, out of reach of the HTTP
 * server's timeouts: a client that stops sending it for `ms` before the
 * route answered is cut. Once the route has written its answer the stream
 * is its own, never timed here.
 */
function limitBodyWait(req: IncomingMessage, socket: Socket, head: Buffer, ms: number): void {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(length) || length <= head.length) return;
  const onTimeout = () => {
    socket.off('timeout', onTimeout);
    socket.setTimeout(0);
    if (socket.bytesWritten === 0) socket.destroy();
  };
  socket.setTimeout(ms);
  socket.on('timeout', onTimeout);
}

/**
 * Requests that ask to upgrade the connection (`Upgrade: tcp`, websocket)
 * arrive here, outside the router: hijack/hijack-routes.ts registers attach
 * and exec start. Any other route does not upgrade, whatever the request
 * asks: it is answered as an ordinary request by the HTTP handler.
 */
export class UpgradeRouter {
  private readonly routes: { pattern: RegExp; handle: UpgradeRoute }[] = [];

  constructor(private readonly ordinary: (req: IncomingMessage, res: ServerResponse) => void, private readonly bodyTimeoutMs: number) {}

  register(pattern: RegExp, handle: UpgradeRoute): void {
    this.routes.push({ pattern, handle });
  }

  handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = rewriteVersionedUrl(req).split('?')[0];
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (m) {
        limitBodyWait(req, socket as Socket, head, this.bodyTimeoutMs);
        return r.handle(req, socket, head, m);
      }
    }
    serveUpgradeAsRequest(this.ordinary, req, socket, head, this.bodyTimeoutMs);
  };
}
