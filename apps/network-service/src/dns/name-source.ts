/**
 * What the embedded DNS server asks network-service's endpoint table. The
 * server knows a query only by its source address; the table knows which
 * container that is and which networks it shares with whom.
 */
export interface DnsNameSource {
  /**
   * The IPv4 addresses (dotted) that `name` (lower case, no trailing dot)
   * stands for as seen by the container at `client`: container names,
   * network aliases, links, short and full ids and hostnames of the
   * containers sharing a network with it. Several for a shared alias.
   * `[]`: not a container name (the server forwards the query);
   * `undefined`: `client` is not a container endpoint (the server refuses).
   */
  lookup(client: string, name: string): string[] | undefined;
  /** The name for a container address on a network the client shares (PTR), without trailing dot. */
  reverse(client: string, address: string): string | undefined;
  /** The resolvers to forward other names to for this client: its --dns servers, else the host's. "ip" or "ip:port". */
  upstreams(client: string): string[];
}

/** The server's side, which network-service drives as user networks come and go. */
export interface DnsListeners {
  /** Starts answering (UDP and TCP port 53) on a user network's gateway address. Idempotent. */
  listen(address: string): Promise<void>;
  /** Stops answering on it. Idempotent. */
  unlisten(address: string): Promise<void>;
  close(): Promise<void>;
}
