import * as fs from 'node:fs';
import type { DnsNameSource } from '../dns/name-source';
import { formatIpv4, parseIpv4 } from '../ipam/ipv4';
import { hostNameservers } from './embedded-resolv-conf';
import { isPredefined, EndpointRecord, NetworkRecord, NetworkStore } from './network-store';

/**
 * The embedded DNS's view of the endpoint table: a query's source address
 * is a container's endpoint on a user network; it may resolve the names of
 * the containers on the user networks it shares — container name, aliases,
 * short and full id, hostname, links' aliases, and `name.network` — and no
 * others. Names compare in lower case.
 */
export class StoreNameSource implements DnsNameSource {
  private hostUpstreams?: { at: number; servers: string[] };

  constructor(private readonly store: NetworkStore, private readonly hostResolvConfPath = '/etc/resolv.conf') {}

  /** The client's endpoints on user networks (its container's, all of them). */
  private clientNetworks(client: string): { containerId: string; mine: EndpointRecord[]; networks: Map<string, NetworkRecord> } | undefined {
    let address: number;
    try {
      address = parseIpv4(client);
    } catch {
      return undefined;
    }
    for (const ep of this.store.endpointsAt(address)) {
      const n = this.store.networkById(ep.networkId);
      if (!n || isPredefined(n.name)) continue;
      const networks = new Map<string, NetworkRecord>();
      const mine = this.store.endpointsOf(ep.containerId).filter((e) => {
        const m = this.store.networkById(e.networkId);
        if (!m || isPredefined(m.name)) return false;
        networks.set(m.id, m);
        return true;
      });
      return { containerId: ep.containerId, mine, networks };
    }
    return undefined;
  }

  lookup(client: string, name: string): string[] | undefined {
    const c = this.clientNetworks(client);
    if (!c) return undefined;
    const wanted = name.toLowerCase().replace(/\.$/, '');
    const found: string[] = [];
    const add = (e: EndpointRecord) => {
      if (e.address === undefined) return;
      const a = formatIpv4(e.address);
      if (!found.includes(a)) found.push(a);
    };
    for (const mine of c.mine) {
      const n = c.networks.get(mine.networkId)!;
      const peers = this.store.endpointsOn(n.id);
      // name.network: the network's own scope.
      const suffix = `.${n.name.toLowerCase()}`;
      const bare = wanted.endsWith(suffix) ? wanted.slice(0, -suffix.length) : undefined;
      for (const e of peers) {
        const names = new Set([...e.dnsNames, e.containerName, e.containerId].map((x) => x.toLowerCase()).filter((x) => x));
        if (names.has(wanted) || (bare !== undefined && names.has(bare))) add(e);
      }
      // Links of the client on this network: "container:alias".
      for (const link of mine.links) {
        const i = link.lastIndexOf(':');
        const target = (i < 0 ? link : link.slice(0, i)).replace(/^\//, '').toLowerCase();
        const alias = (i < 0 ? link : link.slice(i + 1)).toLowerCase();
        if (alias !== wanted) continue;
        for (const e of peers) if (e.containerName.toLowerCase() === target || e.containerId.startsWith(target)) add(e);
      }
    }
    return found;
  }

  reverse(client: string, address: string): string | undefined {
    const c = this.clientNetworks(client);
    if (!c) return undefined;
    let a: number;
    try {
      a = parseIpv4(address);
    } catch {
      return undefined;
    }
    for (const e of this.store.endpointsAt(a)) {
      const n = c.networks.get(e.networkId);
      if (n && e.containerName) return `${e.containerName}.${n.name}`.toLowerCase();
    }
    return undefined;
  }

  upstreams(client: string): string[] {
    const c = this.clientNetworks(client);
    const sb = c ? this.store.sandbox(c.containerId) : undefined;
    if (sb && sb.dns.length > 0) return sb.dns;
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
