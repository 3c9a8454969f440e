import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { randomInt } from 'node:crypto';
import { RCODE_REFUSED, RCODE_SERVFAIL, isReplyTo, isTruncated, rcodeOf, withId } from './dns-message';

export interface ForwarderOptions {
  /** The whole time one query may spend on its upstreams, all of them together. */
  timeoutMs: number;
  /** Queries forwarded at once; beyond this they are answered SERVFAIL at once instead of piling up sockets. */
  maxInFlight: number;
}

interface Upstream {
  host: string;
  port: number;
}

/** "ip" (port 53), "ip:port", "[v6]:port" or a bare IPv6 address; undefined when unusable. */
export function parseUpstream(spec: string): Upstream | undefined {
  if (net.isIP(spec)) return { host: spec, port: 53 };
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(spec) ?? /^([^:]+):(\d+)$/.exec(spec);
  if (!m || !net.isIP(m[1])) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1], port } : undefined;
}

/**
 * Sends the names that are no container's to the client's upstream resolvers
 * and relays their reply verbatim (under the client's id). Each upstream is
 * asked over UDP from a fresh connected socket (a random source port and id
 * per query, and an ICMP refusal ends the wait at once); a truncated reply is
 * asked again over TCP. SERVFAIL and REFUSED move on to the next upstream, as
 * dockerd does.
 */
export class UpstreamForwarder {
  private readonly pending = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: ForwarderOptions) {}

  /**
   * `query`: the client's packet as received. `limit`: the longest reply the
   * client takes (its UDP size, or Infinity over TCP). Resolves undefined
   * when no upstream gave a usable reply (the server answers SERVFAIL).
   */
  async forward(query: Buffer, upstreams: readonly string[], limit: number): Promise<Buffer | undefined> {
    if (this.closed || this.pending.size >= this.options.maxInFlight || query.length < 2) return undefined;
    const clientId = query.readUInt16BE(0);
    const deadline = Date.now() + this.options.timeoutMs;
    const targets = upstreams.map(parseUpstream).filter((u): u is Upstream => u !== undefined);
    let fallback: Buffer | undefined;
    for (let i = 0; i < targets.length && !this.closed; i++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      // A fair share of what is left, so a dead first server leaves time for the others.
      const share = Math.max(1, Math.floor(remaining / (targets.length - i)));
      const id = randomInt(0, 0x10000);
      const asked = withId(query, id);
      let reply = await this.udp(targets[i], asked, id, share);
      if (!reply) continue;
      if (isTruncated(reply)) {
        const full = await this.tcp(targets[i], asked, id, Math.max(1, deadline - Date.now()));
        // Too long for the client's UDP: it gets the truncated one and asks us over TCP.
        if (full && full.length <= limit) reply = full;
      }
      const rcode = rcodeOf(reply);
      if (rcode === RCODE_SERVFAIL || rcode === RCODE_REFUSED) {
        fallback = reply;
        continue;
      }
      return withId(reply, clientId);
    }
    return fallback && withId(fallback, clientId);
  }

  /** Ends every forward in flight (they resolve undefined) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const cancel of [...this.pending]) cancel();
  }

  private udp(to: Upstream, packet: Buffer, id: number, timeoutMs: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const socket = dgram.createSocket(net.isIPv6(to.host) ? 'udp6' : 'udp4');
      const finish = (reply: Buffer | undefined) => {
        if (!this.pending.delete(finish as () => void)) return;
        clearTimeout(timer);
        socket.close();
        resolve(reply);
      };
      this.pending.add(finish as () => void);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      socket.on('error', () => finish(undefined));
      socket.on('message', (msg) => {
        // Connected: only the upstream's packets arrive; the id must still match.
        if (isReplyTo(msg, id)) finish(msg);
      });
      socket.connect(to.port, to.host, () => socket.send(packet, (err) => err && finish(undefined)));
    });
  }

  private tcp(to: Upstream, packet: Buffer, id: number, timeoutMs: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: to.host, port: to.port });
      let received: Buffer = Buffer.alloc(0);
      const finish = (reply: Buffer | undefined) => {
        if (!this.pending.delete(finish as () => void)) return;
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      };
      this.pending.add(finish as () => void);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      socket.on('error', () => finish(undefined));
      socket.on('close', () => finish(undefined));
      socket.on('connect', () => {
        const framed = Buffer.allocUnsafe(packet.length + 2);
        framed.writeUInt16BE(packet.length, 0);
        packet.copy(framed, 2);
        socket.write(framed);
      });
      socket.on('data', (chunk: Buffer) => {
        received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
        if (received.length < 2) return;
        const length = received.readUInt16BE(0);
        if (received.length < length + 2) return;
        const reply = received.subarray(2, length + 2);
        finish(isReplyTo(reply, id) ? reply : undefined);
      });
    });
  }
}
