import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GatewayConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { AccessPolicy, certificateNames, listenerHostNames, MachineNames } from './access-policy';
import { gateRequests, gateUpgrades, RequestHandler, UpgradeHandler } from './access-gate';
import { ConnectionLimiter, guardSlowClients, limitConnections, slowClientServerOptions } from './connection-guard';
import { planListeners, TcpListenerPlan, UnixListenerPlan } from './listener-plan';
import { groupId } from './socket-group';

export interface Listener {
  server: http.Server;
  address: string;
}

export interface ListenerHandlers {
  request: RequestHandler;
  upgrade: UpgradeHandler;
}

function machineNames(): MachineNames {
  const addresses = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.replace(/%.*$/, '')));
  return { hostname: os.hostname(), addresses };
}

async function listen(server: http.Server, target: string | { host: string; port: number }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => { server.off('error', reject); resolve(); };
    if (typeof target === 'string') {
      // The socket is born 0600: no moment in which others may connect
      // before its mode and group are set. bind() happens within listen().
      const umask = process.umask(0o177);
      try {
        server.listen(target, done);
      } finally {
        process.umask(umask);
      }
    } else {
      server.listen(target.port, target.host, done);
    }
  });
}

/**
 * Opens the listeners the configuration asks for (see listener-plan.ts),
 * each with the connection limit shared by all, the slow-client timeouts and
 * its own access policy: any Host on the unix socket, the listener's own
 * names on TCP; an Origin header only from the configured origins.
 */
export async function openListeners(config: GatewayConfig, handlers: ListenerHandlers, logger: Logger): Promise<Listener[]> {
  const plan = planListeners(config);
  for (const warning of plan.warnings) logger.warn(warning);
  const limiter = new ConnectionLimiter(config.maxConnections);
  const refused = new WeakSet<Socket>();
  const timeouts = { bodyTimeoutMs: config.bodyTimeoutMs, idleTimeoutMs: config.idleTimeoutMs };

  const serve = (server: http.Server, policy: AccessPolicy, secure: boolean): void => {
    limitConnections(server, limiter, refused, secure);
    guardSlowClients(server, timeouts);
    server.on('request', gateRequests(handlers.request, policy, refused));
    server.on('upgrade', gateUpgrades(handlers.upgrade, policy, refused));
  };

  const listeners: Listener[] = [];
  try {
    if (plan.unix) listeners.push(await openUnix(plan.unix, config, serve, logger));
    if (plan.tcp) listeners.push(await openTcp(plan.tcp, config, serve));
  } catch (err) {
    await closeListeners(listeners);
    throw err;
  }
  return listeners;
}

type Serve = (server: http.Server, policy: AccessPolicy, secure: boolean) => void;

async function openUnix(plan: UnixListenerPlan, config: GatewayConfig, serve: Serve, logger: Logger): Promise<Listener> {
  fs.mkdirSync(path.dirname(plan.path), { recursive: true, mode: 0o711 });
  fs.rmSync(plan.path, { force: true });
  // Clients on the socket send any Host (docker, localhost, api.moby.localhost) or none.
  const server = http.createServer({ ...slowClientServerOptions(config), requireHostHeader: false });
  serve(server, new AccessPolicy({ corsOrigins: config.corsOrigins }), false);
  await listen(server, plan.path);
  const gid = plan.group ? groupId(plan.group) : undefined;
  if (plan.group && gid === undefined) {
    logger.warn(`group "${plan.group}" not found: ${plan.path} stays root's only (BERTH_SOCKET_GROUP names the group allowed to use the Engine API)`);
  } else if (gid !== undefined) {
    try {
      fs.chownSync(plan.path, process.getuid?.() ?? 0, gid);
    } catch (err) {
      logger.warn(`could not give ${plan.path} to group ${plan.group}`, { error: err instanceof Error ? err.message : String(err) });
    }
  }
  fs.chmodSync(plan.path, plan.mode);
  return { server, address: `unix://${plan.path}` };
}

async function openTcp(plan: TcpListenerPlan, config: GatewayConfig, serve: Serve): Promise<Listener> {
  const options = slowClientServerOptions(config);
  let server: http.Server;
  let certNames: string[] = [];
  if (plan.tls) {
    const cert = fs.readFileSync(plan.tls.cert);
    try {
      certNames = certificateNames(new X509Certificate(cert).subjectAltName);
    } catch { /* names are a convenience; TLS itself reports a bad certificate */ }
    server = https.createServer({
      ...options,
      cert,
      key: fs.readFileSync(plan.tls.key),
      ca: plan.tls.ca ? fs.readFileSync(plan.tls.ca) : undefined,
      requestCert: Boolean(plan.tls.ca),
      rejectUnauthorized: Boolean(plan.tls.ca),
      // A handshake that never finishes holds a socket like a body that never comes.
      handshakeTimeout: config.bodyTimeoutMs,
    });
  } else {
    server = http.createServer(options);
  }
  const hosts = listenerHostNames(plan.host, machineNames(), config.tcpHosts, certNames);
  serve(server, new AccessPolicy({ hosts, corsOrigins: config.corsOrigins }), Boolean(plan.tls));
  await listen(server, { host: plan.host, port: plan.port });
  const bound = server.address();
  const boundPort = typeof bound === 'object' && bound ? bound.port : plan.port;
  const host = plan.host.includes(':') ? `[${plan.host}]` : plan.host;
  return { server, address: `${plan.tls ? 'tls' : 'tcp'}://${host}:${boundPort}` };
}

export async function closeListeners(listeners: Listener[]): Promise<void> {
  await Promise.all(listeners.map((l) => new Promise<void>((resolve) => {
    l.server.close(() => resolve());
    l.server.closeAllConnections?.();
  })));
}
