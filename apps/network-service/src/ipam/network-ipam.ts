import { RpcError } from '@berth/rpc';
import { Ipv4Subnet, broadcastOf, contains, formatIpv4, formatSubnet, gatewayOf, parseIpv4 } from './ipv4';

/** A network's IPv4 addressing, as stored and as inspect shows it. */
export interface NetworkIpam {
  subnet: string;
  /** '' when addresses come from the whole subnet. */
  ipRange: string;
  gateway: string;
  auxAddresses: Record<string, string>;
  /** Picked from the default pools: --ip is refused on it, as dockerd does. */
  auto?: boolean;
  /** An explicit subnet without a Gateway: inspect shows none, as dockerd does (the bridge still gets the first address). */
  gatewayImplied?: boolean;
}

/** What the allocator needs, in numbers. */
export interface AddressPlan {
  subnet: Ipv4Subnet;
  /** Where dynamic addresses come from: the IPRange, else the subnet. */
  range: Ipv4Subnet;
  /** Never handed out: the gateway and the auxiliary addresses. */
  reserved: number[];
}

export interface IpamConfigInput {
  subnet: string;
  ipRange: string;
  gateway: string;
  auxiliaryAddresses: Record<string, string>;
}

function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** A CIDR as dockerd accepts it in IPAM.Config: host bits set is refused, naming the right one. */
export function parseCidr(text: string, what: 'subnet' | 'ip-range'): Ipv4Subnet {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  let address: number;
  try {
    if (!m) throw new Error();
    address = parseIpv4(m[1]);
  } catch {
    throw RpcError.invalidArgument(`invalid ${what} ${text}: invalid CIDR address: ${text}`);
  }
  const prefixLen = Number(m![2]);
  if (prefixLen > 32) throw RpcError.invalidArgument(`invalid ${what} ${text}: invalid CIDR address: ${text}`);
  const network = (address & maskOf(prefixLen)) >>> 0;
  if (network !== address) throw RpcError.invalidArgument(`invalid ${what} ${text}: it should be ${formatIpv4(network)}/${prefixLen}`);
  if (what === 'subnet' && prefixLen > 30) throw RpcError.invalidArgument(`invalid subnet ${text}: prefix length must be at most 30 to hold a gateway and a container`);
  return { network, prefixLen };
}

function parseAddress(text: string, what: string): number {
  try {
    return parseIpv4(text.trim());
  } catch {
    throw RpcError.invalidArgument(`invalid ${what} address: ${text}`);
  }
}

function isIpv6Text(text: string): boolean {
  return text.includes(':');
}

/**
 * Checks explicit IPAM.Config entries as dockerd does and fills in the
 * gateway (the subnet's first address unless given). Returns undefined when
 * no IPv4 subnet is given (the subnet is then picked from the pools).
 */
export function validateIpamConfig(configs: IpamConfigInput[]): NetworkIpam | undefined {
  const v4 = configs.filter((c) => !isIpv6Text(c.subnet) && !isIpv6Text(c.ipRange) && !isIpv6Text(c.gateway));
  if (v4.length !== configs.length) throw RpcError.invalidArgument('IPv6 is not supported by Berth yet: IPAM.Config may only hold IPv4 subnets');
  if (v4.length > 1) throw RpcError.invalidArgument('several IPv4 subnets on one network are not supported by Berth yet');
  const c = v4[0];
  if (!c) return undefined;
  if (!c.subnet) {
    if (c.ipRange || c.gateway || Object.keys(c.auxiliaryAddresses).length > 0) {
      throw RpcError.invalidArgument('invalid network config: an ip-range, gateway or aux-address needs a subnet');
    }
    return undefined;
  }
  const subnet = parseCidr(c.subnet, 'subnet');
  const sub = formatSubnet(subnet);
  const problems: string[] = [];
  let ipRange = '';
  if (c.ipRange) {
    const range = parseCidr(c.ipRange, 'ip-range');
    if (!contains(subnet, range.network) || range.prefixLen < subnet.prefixLen) problems.push(`parent subnet ${sub} does not contain ip-range ${c.ipRange}`);
    ipRange = formatSubnet(range);
  }
  let gateway = formatIpv4(gatewayOf(subnet));
  if (c.gateway) {
    const gw = parseAddress(c.gateway, 'gateway');
    if (!contains(subnet, gw)) problems.push(`parent subnet ${sub} does not contain gateway ${c.gateway}`);
    gateway = formatIpv4(gw);
  }
  const aux: Record<string, string> = {};
  for (const [name, address] of Object.entries(c.auxiliaryAddresses)) {
    const a = parseAddress(address, 'aux-address');
    if (!contains(subnet, a)) problems.push(`parent subnet ${sub} does not contain aux-address ${address}`);
    aux[name] = formatIpv4(a);
  }
  if (problems.length > 0) throw RpcError.invalidArgument(`invalid network config:\n${problems.join('\n')}`);
  return { subnet: sub, ipRange, gateway, auxAddresses: aux, ...(c.gateway ? {} : { gatewayImplied: true }) };
}

/** The allocator's view of a stored network's IPAM. */
export function addressPlan(ipam: NetworkIpam): AddressPlan {
  const subnet = parseCidr(ipam.subnet, 'subnet');
  const range = ipam.ipRange ? parseCidr(ipam.ipRange, 'ip-range') : subnet;
  const reserved = [parseIpv4(ipam.gateway), ...Object.values(ipam.auxAddresses).map(parseIpv4)];
  return { subnet, range, reserved };
}

/**
 * The lowest address of the range that is neither the subnet's network or
 * broadcast address, reserved, nor in use; undefined when none is left.
 */
export function lowestFreeInPlan(plan: AddressPlan, used: Iterable<number>): number | undefined {
  const taken = new Set(used);
  for (const r of plan.reserved) taken.add(r);
  const first = Math.max(plan.range.network, plan.subnet.network + 1);
  const last = Math.min(broadcastOf(plan.range), broadcastOf(plan.subnet) - 1);
  for (let a = first; a <= last; a++) {
    if (!taken.has(a)) return a;
  }
  return undefined;
}
