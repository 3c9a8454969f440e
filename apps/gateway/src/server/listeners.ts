import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { GatewayConfig, isLoopbackHost, parseHostPort } from '@berth/config';

type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface Listener {
  server: http.Server;
  address: string;
}

function tune(server: http.Server): void {
  // Long-lived streams (events, logs -f, attach) must not be cut by Node's defaults.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  server.timeout = 0;
}

async function listen(server: http.Server, target: string | { host: string; port: number }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => { server.off('error', reject); resolve(); };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

/**
 * Opens the unix socket and the TCP listener with one request handler. TCP on
 * a non-loopback address requires TLS unless explicitly forced.
 */
export async function openListeners(config: GatewayConfig, handler: RequestHandler, onUpgrade: UpgradeHandler): Promise<Listener[]> {
  const listeners: Listener[] = [];
  if (config.socketPath) {
    fs.mkdirSync(path.dirname(config.socketPath), { recursive: true });
    fs.rmSync(config.socketPath, { force: true });
    const server = http.createServer(handler);
    tune(server);
    server.on('upgrade', onUpgrade);
    await listen(server, config.socketPath);
    fs.chmodSync(config.socketPath, config.socketMode);
    listeners.push({ server, address: `unix://${config.socketPath}` });
  }
  if (config.tcpAddress) {
    const { host, port } = parseHostPort(config.tcpAddress);
    const tls = Boolean(config.tlsCert && config.tlsKey);
    if (!tls && !isLoopbackHost(host) && !config.insecureTcp) {
      throw new Error(`refusing to listen on ${config.tcpAddress} without TLS: set BERTH_TLS_CERT and BERTH_TLS_KEY, or BERTH_TCP_INSECURE=1 to force`);
    }
    const server = tls
      ? https.createServer({
        cert: fs.readFileSync(config.tlsCert!),
        key: fs.readFileSync(config.tlsKey!),
        ca: config.tlsCa ? fs.readFileSync(config.tlsCa) : undefined,
        requestCert: Boolean(config.tlsCa),
        rejectUnauthorized: Boolean(config.tlsCa),
      }, handler)
      : http.createServer(handler);
    tune(server);
    server.on('upgrade', onUpgrade);
    await listen(server, { host, port });
    const bound = server.address();
    const boundPort = typeof bound === 'object' && bound ? bound.port : port;
    listeners.push({ server, address: `${tls ? 'tls' : 'tcp'}://${host}:${boundPort}` });
  }
  return listeners;
}

export async function closeListeners(listeners: Listener[]): Promise<void> {
  await Promise.all(listeners.map((l) => new Promise<void>((resolve) => {
    l.server.close(() => resolve());
    l.server.closeAllConnections?.();
  })));
}
