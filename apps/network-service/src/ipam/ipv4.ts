/** IPv4 addresses as unsigned 32-bit numbers, and the subnets Berth hands addresses from. */

export interface Ipv4Subnet {
  /** The network address, host bits zero. */
  network: number;
  prefixLen: number;
}

export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address "${text}"`);
  let value = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`invalid IPv4 address "${text}"`);
    value = value * 256 + Number(p);
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/**
 * `a.b.c.d/n`. Host bits must be zero, as dockerd insists for --bip-less
 * subnets; a prefix over 30 leaves no room for a gateway and one container.
 */
export function parseSubnet(cidr: string): Ipv4Subnet {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) throw new Error(`invalid subnet "${cidr}": expected a.b.c.d/len`);
  const prefixLen = Number(m[2]);
  if (prefixLen < 8 || prefixLen > 30) throw new Error(`invalid subnet "${cidr}": prefix length must be between 8 and 30`);
  const address = parseIpv4(m[1]);
  const network = (address & maskOf(prefixLen)) >>> 0;
  if (network !== address) throw new Error(`invalid subnet "${cidr}": host bits are set (did you mean ${formatIpv4(network)}/${prefixLen}?)`);
  return { network, prefixLen };
}

export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${formatIpv4(subnet.network)}/${subnet.prefixLen}`;
}

export function broadcastOf(subnet: Ipv4Subnet): number {
  return (subnet.network | (~maskOf(subnet.prefixLen) >>> 0)) >>> 0;
}

/** The bridge's own address: the first host address, as dockerd picks for docker0. */
export function gatewayOf(subnet: Ipv4Subnet): number {
  return subnet.network + 1;
}

export function contains(subnet: Ipv4Subnet, address: number): boolean {
  return ((address & maskOf(subnet.prefixLen)) >>> 0) === subnet.network;
}
