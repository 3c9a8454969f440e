import * as fs from 'node:fs';
import type { DnsNameSource } from '../dns/name-source';
import { formatIpv4, parseIpv4 } from '../ipam/ipv4';
import { hostNameservers } from './embedded-resolv-conf';
import { isPredefined, EndpointRecord, NetworkRecord, NetworkStore } from './network-store';

/** The endpoint table as the resolver needs it, rebuilt only when the store changed. */
interface Snapshot {
  stamp: string;
  /** Endpoints on user networks by address. */
  byAddress: Map<number, EndpointRecord[]>;
  /** A container's endpoints on user networks. */
  byContainer: Map<string, EndpointRecord[]>;
  /** Per user network: lower-case name → addresses, in endpoint order. */
  names: Map<string, Map<string, string[]>>;
  networks: Map<string, NetworkRecord>;
  dns: Map<string, string[]>;
  /** Containers with an endpoint on a network that reaches outside (not Internal; the default bridge counts). */
  external: Set<string>;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) {
    if (!list.includes(v)) list.push(v);
  } else m.set(k, [v]);
}

/**
 * The embedded DNS's view of the endpoint table: a query's source address
 * is a container's endpoint on a user network; it may resolve the names of
 * the containers on the user networks it shares — container name, aliases,
 * short and full id, hostname, links' aliases, and `name.network` — and no
 * others. Names compare in lower case. Answers come from an in-memory
 * snapshot, rebuilt when the store changed, so a lookup costs no query.
 */
export class StoreNameSource implements DnsNameSource {
  private snapshot?: Snapshot;
  private hostUpstreams?: { at: number; servers: string[] };

  constructor(private readonly store: NetworkStore, private readonly hostResolvConfPath = '/etc/resolv.conf') {}

  private current(): Snapshot {
    const stamp = this.store.changeStamp();
    if (this.snapshot?.stamp === stamp) return this.snapshot;
    const all = this.store.networks();
    const networks = new Map(all.filter((n) => !isPredefined(n.name)).map((n) => [n.id, n]));
    const internal = new Set(all.filter((n) => n.internal).map((n) => n.id));
    const snap: Snapshot = { stamp, byAddress: new Map(), byContainer: new Map(), names: new Map(), networks, dns: new Map(), external: new Set() };
    for (const e of this.store.allEndpoints()) {
      if (!internal.has(e.networkId)) snap.external.add(e.containerId);
      const n = networks.get(e.networkId);
      if (!n || e.address === undefined) continue;
      push(snap.byAddress, e.address, e);
      push(snap.byContainer, e.containerId, e);
      let names = snap.names.get(n.id);
      if (!names) snap.names.set(n.id, (names = new Map()));
      const address = formatIpv4(e.address);
      const own = new Set([...e.dnsNames, e.containerName, e.containerId].filter((x) => x).map((x) => x.toLowerCase()));
      for (const name of own) {
        push(names, name, address);
        push(names, `${name}.${n.name.toLowerCase()}`, address);
      }
    }
    for (const sb of this.store.sandboxes()) if (sb.dns.length > 0) snap.dns.set(sb.containerId, sb.dns);
    this.snapshot = snap;
    return snap;
  }

  /** The client's container and its endpoints on user networks; undefined when the address is no such endpoint. */
  private client(snap: Snapshot, client: string): { containerId: string; mine: EndpointRecord[] } | undefined {
    let address: number;
    try {
      address = parseIpv4(client);
    } catch {
      return undefined;
    }
    const ep = snap.byAddress.get(address)?.[0];
    if (!ep) return undefined;
    return { containerId: ep.containerId, mine: snap.byContainer.get(ep.containerId) ?? [] };
  }

  lookup(client: string, name: string): string[] | undefined {
    const snap = this.current();
    const c = this.client(snap, client);
    if (!c) return undefined;
    const wanted = name.toLowerCase().replace(/\.$/, '');
    const found: string[] = [];
    for (const mine of c.mine) {
      for (const a of snap.names.get(mine.networkId)?.get(wanted) ?? []) if (!found.includes(a)) found.push(a);
      // Links of the client on this network: "container:alias".
      for (const link of mine.links) {
        const i = link.lastIndexOf(':');
        const target = (i < 0 ? link : link.slice(0, i)).replace(/^\//, '').toLowerCase();
        const alias = (i < 0 ? link : link.slice(i + 1)).toLowerCase();
        if (alias !== wanted || alias === target) continue;
        for (const a of snap.names.get(mine.networkId)?.get(target) ?? []) if (!found.includes(a)) found.push(a);
      }
    }
    return found;
  }

  reverse(client: string, address: string): string | undefined {
    const snap = this.current();
    const c = this.client(snap, client);
    if (!c) return undefined;
    let a: number;
    try {
      a = parseIpv4(address);
    } catch {
      return undefined;
    }
    const shared = new Set(c.mine.map((e) => e.networkId));
    for (const e of snap.byAddress.get(a) ?? []) {
      const n = snap.networks.get(e.networkId);
      if (n && shared.has(n.id) && e.containerName) return `${e.containerName}.${n.name}`.toLowerCase();
    }
    return undefined;
  }

  upstreams(client: string): string[] {
    const snap = this.current();
    const c = this.client(snap, client);
    // dockerd forwards nothing for a container whose networks are all Internal: it has no way out.
    if (c && !snap.external.has(c.containerId)) return [];
    const own = c ? snap.dns.get(c.containerId) : undefined;
    if (own) return own;
    const now = Date.now();
    if (!this.hostUpstreams || now - this.hostUpstreams.at > 5000) {
      let text = '';
      try {
        text = fs.readFileSync(this.hostResolvConfPath, 'utf8');
      } catch { /* none */ }
      this.hostUpstreams = { at: now, servers: hostNameservers(text) };
    }
    return this.hostUpstreams.servers;
  }
}
