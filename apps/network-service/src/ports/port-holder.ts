import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { Logger } from '@berth/logging';
import type { PortMappingRow } from './port-store';
import { formatHostAddress, ipFamily } from './port-spec';

/** The host refused to bind a published address (another process holds it, or the address is not the host's). */
export class HoldError extends Error {
  constructor(readonly row: PortMappingRow, readonly code: string, detail: string) {
    super(detail);
    this.name = 'HoldError';
  }
}

/** Go's wording for bind failures, which dockerd passes on ("bind: address already in use"). */
function bindDetail(code: string | undefined, fallback: string): string {
  switch (code) {
    case 'EADDRINUSE': return 'address already in use';
    case 'EADDRNOTAVAIL': return 'cannot assign requested address';
    case 'EACCES': return 'permission denied';
    default: return fallback;
  }
}

interface Held {
  close(): void;
}

/** Pipes one accepted connection to the container and back: half-closes pass through, an error on either side ends both. */
function proxyConnection(client: net.Socket, target: { host: string; port: number }, connections: Set<net.Socket>): void {
  const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
  connections.add(client);
  connections.add(upstream);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end);
  upstream.on('error', end);
  client.on('close', () => { connections.delete(client); upstream.destroy(); });
  upstream.on('close', () => { connections.delete(upstream); client.destroy(); });
  client.pipe(upstream);
  upstream.pipe(client);
}

function holdTcp(row: PortMappingRow, logger: Logger): Promise<Held> {
  const connections = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) =>
    proxyConnection(client, { host: row.containerIp, port: row.containerPort }, connections));
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.close();
      reject(new HoldError(row, err.code ?? 'EIO',
        `Error starting userland proxy: listen tcp${ipFamily(row.hostIp)} ${formatHostAddress(row.hostIp, row.hostPort)}: bind: ${bindDetail(err.code, err.message)}`));
    };
    server.once('error', onError);
    server.listen({ host: row.hostIp, port: row.hostPort, ipv6Only: ipFamily(row.hostIp) === 6, exclusive: true }, () => {
      server.off('error', onError);
      server.on('error', (err) => logger.warn('published port listener failed', { address: formatHostAddress(row.hostIp, row.hostPort), err }));
      resolve({
        close: () => {
          server.close();
          for (const c of connections) c.destroy();
        },
      });
    });
  });
}

function holdUdp(row: PortMappingRow, logger: Logger): Promise<Held> {
  const family = ipFamily(row.hostIp);
  const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6 });
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      socket.close();
      reject(new HoldError(row, err.code ?? 'EIO',
        `Error starting userland proxy: listen udp${family} ${formatHostAddress(row.hostIp, row.hostPort)}: bind: ${bindDetail(err.code, err.message)}`));
    };
    socket.once('error', onError);
    socket.bind({ address: row.hostIp, port: row.hostPort, exclusive: true }, () => {
      socket.off('error', onError);
      socket.on('error', (err) => logger.warn('published udp port socket failed', { address: formatHostAddress(row.hostIp, row.hostPort), err }));
      resolve({ close: () => socket.close() });
    });
  });
}

/**
 * Holds published host ports with sockets of this process, so no other
 * program can take them while they are published, and proxies TCP
 * connections that miss the DNAT rules (IPv6 clients such as ::1, which
 * Berth's IPv4 rules do not rewrite) to the container. SCTP has no socket
 * here: its ports are held by Berth's records and rules only.
 */
export class PortHolder {
  private readonly held = new Map<string, Held[]>();

  constructor(private readonly logger: Logger) {}

  /** Binds every row of the container, or none: the first refusal closes what was bound and throws HoldError. */
  async hold(containerId: string, rows: PortMappingRow[]): Promise<void> {
    this.release(containerId);
    const held: Held[] = [];
    try {
      for (const row of rows) {
        if (row.proto === 'tcp') held.push(await holdTcp(row, this.logger));
        else if (row.proto === 'udp') held.push(await holdUdp(row, this.logger));
      }
    } catch (err) {
      for (const h of held) h.close();
      throw err;
    }
    this.held.set(containerId, held);
  }

  isHeld(containerId: string): boolean {
    return this.held.has(containerId);
  }

  ids(): string[] {
    return [...this.held.keys()];
  }

  release(containerId: string): void {
    for (const h of this.held.get(containerId) ?? []) h.close();
    this.held.delete(containerId);
  }

  releaseAll(): void {
    for (const id of [...this.held.keys()]) this.release(id);
  }
}
