import type * as http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AccessPolicy } from './access-policy';
import { rawJsonResponse } from './connection-guard';
import { COMMON_HEADERS } from './identity';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The request handler of one listener: connections past the limit are never
 * served, the listener's access policy decides before any route runs (a
 * refused request does nothing), allowed browser origins get dockerd's CORS
 * headers and their preflight its empty 200.
 */
export function gateRequests(handler: RequestHandler, policy: AccessPolicy, refused: WeakSet<Socket>): RequestHandler {
  return (req, res) => {
    if (refused.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    const decision = policy.decide(req.method, req.headers);
    if (decision.refused) {
      const body = JSON.stringify({ message: decision.refused.message }) + '\n';
      res.shouldKeepAlive = false;
      res.writeHead(decision.refused.status, { ...COMMON_HEADERS, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
      return;
    }
    if (decision.cors) for (const [k, v] of Object.entries(decision.cors)) res.setHeader(k, v);
    if (decision.preflight) {
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Length': '0' });
      res.end();
      return;
    }
    handler(req, res);
  };
}

/** The same for requests that ask to upgrade: a websocket opened by a web page is refused like its POST. */
export function gateUpgrades(handler: UpgradeHandler, policy: AccessPolicy, refused: WeakSet<Socket>): UpgradeHandler {
  return (req, socket, head) => {
    if (refused.has(socket as Socket)) {
      socket.destroy();
      return;
    }
    const decision = policy.decide(req.method, req.headers);
    if (decision.refused) {
      socket.on('error', () => undefined);
      socket.end(rawJsonResponse(decision.refused.status, decision.refused.message));
      return;
    }
    handler(req, socket, head);
  };
}
