import * as dgram from 'node:dgram';
import * as net from 'node:net';

/** The largest DNS message (the TCP frame's 16-bit length). */
export const MAX_MESSAGE = 0xffff;
/** Answers a TCP client may leave unread before it is hung up on. */
const MAX_UNREAD = 1 << 20;

/**
 * Called for every packet received: the answer to send back the way the
 * query came, synchronously when it is known at once (the hot path allocates
 * no promise), a promise when it waits for an upstream, or undefined when
 * nothing is to be answered. Must never throw or reject.
 */
export type QueryHandler = (packet: Buffer, client: string, tcp: boolean) => Buffer | Promise<Buffer | undefined> | undefined;

export interface EndpointOptions {
  port: number;
  /** A TCP connection that sends no query for this long is closed. */
  tcpIdleMs: number;
  /** TCP connections open at once on this address; further ones are refused by the kernel's backlog, then dropped. */
  maxTcpConnections: number;
}

/** "::ffff:10.0.0.2" -> "10.0.0.2": the name source knows containers by dotted IPv4. */
function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/**
 * One address's sockets: UDP and TCP on address:port. TCP carries 2-byte
 * length-prefixed messages, several per connection, answered in the order
 * they are ready (RFC 7766 allows out-of-order replies; the ids tell them
 * apart).
 */
export class DnsEndpoint {
  private readonly connections = new Set<net.Socket>();

  private constructor(
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
  ) {}

  static async open(address: string, options: EndpointOptions, handle: QueryHandler, onError: (err: Error) => void): Promise<DnsEndpoint> {
    const udp = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
    const tcp = net.createServer();
    const endpoint = new DnsEndpoint(udp, tcp);
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address, port: options.port, exclusive: true }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: options.port, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await endpoint.close();
      throw err;
    }
    // A bigger receive buffer rides out bursts (many containers starting, a benchmark) without drops.
    try {
      udp.setRecvBufferSize(1 << 20);
    } catch {
      // The kernel's cap (net.core.rmem_max) may be lower; the default still works.
    }
    udp.on('error', onError);
    tcp.on('error', onError);
    // Send errors (a client gone, ICMP) come as the socket's 'error' events.
    udp.on('message', (packet, rinfo) => {
      const answer = handle(packet, plainAddress(rinfo.address), false);
      if (answer === undefined) return;
      if (answer instanceof Promise) answer.then((later) => later && udp.send(later, rinfo.port, rinfo.address));
      else udp.send(answer, rinfo.port, rinfo.address);
    });
    tcp.maxConnections = options.maxTcpConnections;
    tcp.on('connection', (socket) => endpoint.serve(socket, options.tcpIdleMs, handle));
    return endpoint;
  }

  private serve(socket: net.Socket, idleMs: number, handle: QueryHandler): void {
    this.connections.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(idleMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    const client = plainAddress(socket.remoteAddress);
    const reply = (answer: Buffer) => {
      if (socket.destroyed || answer.length > MAX_MESSAGE) return;
      // A client that sends queries but never reads its answers would make us buffer without end.
      if (socket.writableLength > MAX_UNREAD) {
        socket.destroy();
        return;
      }
      const framed = Buffer.allocUnsafe(answer.length + 2);
      framed.writeUInt16BE(answer.length, 0);
      answer.copy(framed, 2);
      socket.write(framed);
    };
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // At most one partial frame stays buffered: it is bounded by MAX_MESSAGE + 2.
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < length + 2) break;
        const packet = buffered.subarray(2, length + 2);
        buffered = buffered.subarray(length + 2);
        const answer = handle(packet, client, true);
        if (answer === undefined) continue;
        if (answer instanceof Promise) answer.then((later) => later && reply(later));
        else reply(answer);
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await Promise.all([
      new Promise<void>((resolve) => {
        try {
          this.udp.close(() => resolve());
        } catch {
          resolve(); // never bound, or already closed
        }
      }),
      new Promise<void>((resolve) => (this.tcp.listening ? this.tcp.close(() => resolve()) : resolve())),
    ]);
  }
}
