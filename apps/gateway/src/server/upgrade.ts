import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { rewriteVersionedUrl } from './api-version';

/**
 * Requests that ask to upgrade the connection (`Upgrade: tcp`, websocket)
 * arrive here, outside the router: hijack/hijack-routes.ts registers attach
 * and exec start; anything else is answered as an unknown route.
 */
export class UpgradeRouter {
  private readonly routes: { pattern: RegExp; handle: (req: IncomingMessage, socket: Duplex, head: Buffer, match: RegExpExecArray) => void }[] = [];

  register(pattern: RegExp, handle: (req: IncomingMessage, socket: Duplex, head: Buffer, match: RegExpExecArray) => void): void {
    this.routes.push({ pattern, handle });
  }

  handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = rewriteVersionedUrl(req).split('?')[0];
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (m) return r.handle(req, socket, head, m);
    }
    const body = JSON.stringify({ message: 'page not found' }) + '\n';
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
}
