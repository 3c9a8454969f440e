import * as http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { rawJsonResponse } from './connection-guard';

type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Serves a request that asked to upgrade (`Connection: Upgrade`) on a route
 * that does not: dockerd answers it as any other request. Node has already
 * handed the connection over (its parser is gone and the request it parsed
 * is ended), so a fresh request carries the same head, the body follows
 * from `head` and the socket up to Content-Length, and the connection closes
 * after the answer. A body that stops arriving for `bodyTimeoutMs` ends it.
 */
export function serveUpgradeAsRequest(handler: RequestHandler, upgraded: http.IncomingMessage, duplex: Duplex, head: Buffer, bodyTimeoutMs: number): void {
  // The upgrade event's socket is the connection's net.Socket (or TLSSocket).
  const socket = duplex as Socket;
  socket.on('error', () => undefined);
  if (upgraded.headers['transfer-encoding'] !== undefined) {
    socket.end(rawJsonResponse(400, 'a chunked request body cannot come with Connection: Upgrade on this route'));
    return;
  }
  const length = Number(upgraded.headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(length) || length < 0) {
    socket.end(rawJsonResponse(400, 'invalid Content-Length'));
    return;
  }
  const req = new http.IncomingMessage(socket);
  Object.assign(req, {
    method: upgraded.method,
    url: upgraded.url,
    headers: upgraded.headers,
    rawHeaders: upgraded.rawHeaders,
    httpVersion: upgraded.httpVersion,
    httpVersionMajor: upgraded.httpVersionMajor,
    httpVersionMinor: upgraded.httpVersionMinor,
  });
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket);
  res.once('finish', () => {
    res.detachSocket(socket);
    socket.destroySoon();
  });

  let received = 0;
  const finishBody = () => {
    socket.off('data', feed);
    socket.setTimeout(0);
    req.complete = true;
    req.push(null);
  };
  const feed = (chunk: Buffer) => {
    const take = chunk.subarray(0, length - received);
    received += take.length;
    if (take.length > 0) req.push(take);
    if (received >= length) finishBody();
  };
  if (length === 0) {
    finishBody();
  } else {
    socket.setTimeout(bodyTimeoutMs, () => socket.destroy());
    feed(head);
    if (received < length) socket.on('data', feed);
  }
  handler(req, res);
}
