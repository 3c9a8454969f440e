import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { rewriteVersionedUrl } from './api-version';
import { serveUpgradeAsRequest } from './upgrade-fallback';

type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, match: RegExpExecArray) => void;

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
      if (m) return r.handle(req, socket, head, m);
    }
    serveUpgradeAsRequest(this.ordinary, req, socket, head, this.bodyTimeoutMs);
  };
}
