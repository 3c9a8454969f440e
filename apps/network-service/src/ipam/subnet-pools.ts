import { execFileSync } from 'node:child_process';
import { Ipv4Subnet, broadcastOf, parseIpv4, parseSubnet } from './ipv4';

/** One default address pool: subnets of `size` bits carved from `base` in order. */
export interface AddressPool {
  base: Ipv4Subnet;
  size: number;
}

/** dockerd's default pools: 172.17–31 in /16s, then 192.168.0.0/16 in /20s. */
export const DOCKER_DEFAULT_POOLS: AddressPool[] = [
  { base: parseSubnet('172.17.0.0/16'), size: 16 },
  { base: parseSubnet('172.18.0.0/15'), size: 16 },
  { base: parseSubnet('172.20.0.0/14'), size: 16 },
  { base: parseSubnet('172.24.0.0/13'), size: 16 },
  { base: parseSubnet('192.168.0.0/16'), size: 20 },
];

/**
 * BERTH_DEFAULT_ADDRESS_POOLS: `base=10.61.0.0/16,size=24`, several separated
 * by spaces (dockerd's --default-address-pool spelling). Empty: dockerd's.
 */
export function parseAddressPools(text: string | undefined): AddressPool[] {
  if (!text || !text.trim()) return DOCKER_DEFAULT_POOLS;
  return text.trim().split(/\s+/).map((entry) => {
    const fields = new Map(entry.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()] as [string, string];
    }));
    const base = fields.get('base');
    const size = Number(fields.get('size'));
    if (!base || !Number.isInteger(size)) throw new Error(`address pool "${entry}": expected base=a.b.c.d/len,size=n`);
    const subnet = parseSubnet(base);
    if (size < subnet.prefixLen || size > 30) throw new Error(`address pool "${entry}": size must be between ${subnet.prefixLen} and 30`);
    return { base: subnet, size };
  });
}

export function overlaps(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return a.network <= broadcastOf(b) && b.network <= broadcastOf(a);
}

/** The first subnet of the pools that overlaps none of `taken`, or undefined when all are used. */
export function nextFreeSubnet(pools: AddressPool[], taken: Ipv4Subnet[]): Ipv4Subnet | undefined {
  for (const pool of pools) {
    const step = 2 ** (32 - pool.size);
    const end = broadcastOf(pool.base);
    for (let n = pool.base.network; n <= end; n += step) {
      const candidate = { network: n, prefixLen: pool.size };
      if (!taken.some((t) => overlaps(t, candidate))) return candidate;
    }
  }
  return undefined;
}

/**
 * The IPv4 destinations of the host's routes in every table (`ip -4 route
 * show table all`): a network must not overlap one, or its traffic would be
 * routed elsewhere. The default route and host-less entries are left out.
 */
export function parseRouteSubnets(listing: string): Ipv4Subnet[] {
  const out: Ipv4Subnet[] = [];
  for (const line of listing.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // "local 10.0.0.5 dev eth0 table local ...", "10.1.0.0/16 dev x", "broadcast 10.1.255.255 ..."
    const dest = ['local', 'broadcast', 'unicast', 'unreachable', 'blackhole', 'prohibit', 'throw', 'anycast'].includes(fields[0]) ? fields[1] : fields[0];
    if (!dest || dest === 'default' || fields[0] === 'multicast') continue;
    const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(dest);
    if (!m) continue;
    const prefixLen = m[2] === undefined ? 32 : Number(m[2]);
    if (prefixLen === 0) continue;
    try {
      const address = parseIpv4(m[1]);
      const mask = prefixLen === 32 ? 0xffffffff : (0xffffffff << (32 - prefixLen)) >>> 0;
      out.push({ network: (address & mask) >>> 0, prefixLen });
    } catch { /* not an address */ }
  }
  return out;
}

export function hostRouteSubnets(): Ipv4Subnet[] {
  try {
    return parseRouteSubnets(execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }));
  } catch {
    return [];
  }
}
