import type { Logger } from '@berth/logging';
import type { DnsListeners, DnsNameSource } from './name-source';
import { DnsAnswerer, FORWARD } from './dns-answerer';
import { DnsEndpoint, MAX_MESSAGE } from './dns-endpoint';
import { RCODE_SERVFAIL, type DnsQuery, encodeEmptyReply, encodeFailure, isParseFailure, parseQuery, udpLimit } from './dns-message';
import { UpstreamForwarder } from './upstream-forwarder';
import { CachedNameSource } from './cached-name-source';

export interface EmbeddedDnsOptions {
  /** Where to listen on each address; 53 in production, a high port in tests. */
  port?: number;
  /** The time one forwarded query may take over all its upstreams (default 2 s). */
  forwardTimeoutMs?: number;
  /** Idle TCP connections are closed after this long (default 10 s). */
  tcpIdleMs?: number;
  /** Forwarded queries in flight at once (default 1024, dockerd's cap). */
  maxInFlight?: number;
  /** TCP connections per address (default 256). */
  maxTcpConnections?: number;
  /**
   * A token that changes whenever the endpoint table may have (see
   * CachedNameSource). Given, the source's answers are memoised between
   * changes: a lookup then costs a map read instead of the table's queries.
   */
  generation?: () => unknown;
}

/**
 * The embedded DNS server of user-defined networks: network-service makes one
 * and calls listen() with each user network's gateway address. A query is
 * known by its source address only; the name source says which container
 * that is and what it may see. Container names are answered from the table,
 * synchronously; other names go to the client's upstream resolvers.
 */
export class EmbeddedDns implements DnsListeners {
  private readonly endpoints = new Map<string, Promise<DnsEndpoint>>();
  /** Addresses whose sockets unlisten() is still closing. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly answerer: DnsAnswerer;
  private readonly forwarder: UpstreamForwarder;
  private readonly port: number;
  private readonly tcpIdleMs: number;
  private readonly maxTcpConnections: number;
  private readonly source: DnsNameSource;
  private closed = false;

  constructor(
    source: DnsNameSource,
    private readonly logger: Logger,
    options: EmbeddedDnsOptions = {},
  ) {
    this.source = options.generation ? new CachedNameSource(source, { generation: options.generation }) : source;
    this.port = options.port ?? 53;
    this.tcpIdleMs = options.tcpIdleMs ?? 10_000;
    this.maxTcpConnections = options.maxTcpConnections ?? 256;
    this.answerer = new DnsAnswerer(this.source);
    this.forwarder = new UpstreamForwarder({ timeoutMs: options.forwardTimeoutMs ?? 2000, maxInFlight: options.maxInFlight ?? 1024 });
  }

  listen(address: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('embedded DNS server is closed'));
    let opening = this.endpoints.get(address);
    if (!opening) {
      // An unlisten still closing the address's sockets would make the bind fail.
      const closing = this.closing.get(address) ?? Promise.resolve();
      opening = closing.then(() =>
        DnsEndpoint.open(
          address,
          { port: this.port, tcpIdleMs: this.tcpIdleMs, maxTcpConnections: this.maxTcpConnections },
          this.handle,
          (err) => this.logger.warn('embedded DNS socket error', { address, error: err.message }),
        ),
      );
      this.endpoints.set(address, opening);
      // A failed bind leaves nothing behind: the next listen() tries again.
      opening.then(
        () => this.logger.debug('embedded DNS listening', { address, port: this.port }),
        () => {
          if (this.endpoints.get(address) === opening) this.endpoints.delete(address);
        },
      );
    }
    return opening.then(() => undefined);
  }

  async unlisten(address: string): Promise<void> {
    const opening = this.endpoints.get(address);
    if (!opening) return this.closing.get(address);
    this.endpoints.delete(address);
    const closing = opening.then(
      (endpoint) => endpoint.close(),
      () => undefined,
    );
    this.closing.set(address, closing);
    try {
      await closing;
    } finally {
      if (this.closing.get(address) === closing) this.closing.delete(address);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.forwarder.close();
    await Promise.all([...this.endpoints.keys()].map((a) => this.unlisten(a)));
  }

  /**
   * One packet from one client. Never throws: a packet that is not a query
   * gets FORMERR/NOTIMP (or nothing, if it is too short or a reply), a
   * failure while answering gets SERVFAIL.
   */
  private readonly handle = (packet: Buffer, client: string, tcp: boolean): Buffer | Promise<Buffer | undefined> | undefined => {
    let query: DnsQuery | undefined;
    try {
      const parsed = parseQuery(packet);
      if (isParseFailure(parsed)) return parsed.id === undefined ? undefined : encodeFailure({ ...parsed, id: parsed.id });
      query = parsed;
      const limit = tcp ? MAX_MESSAGE : udpLimit(query);
      const answer = this.answerer.answer(query, client, limit);
      if (answer !== FORWARD) return answer;
      const asked = query;
      return this.forwarder.forward(packet, this.source.upstreams(client), limit).then(
        (relayed) => relayed ?? encodeEmptyReply(asked, RCODE_SERVFAIL),
        (err: Error) => this.failed(asked, err),
      );
    } catch (err) {
      return this.failed(query, err as Error);
    }
  };

  private failed(query: DnsQuery | undefined, err: Error): Buffer | undefined {
    this.logger.warn('embedded DNS failed to answer', { name: query?.name, error: err?.message });
    if (!query) return undefined;
    try {
      return encodeEmptyReply(query, RCODE_SERVFAIL);
    } catch {
      return undefined; // nothing more can be said to this client
    }
  }
}
