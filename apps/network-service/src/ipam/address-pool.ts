import { Ipv4Subnet, broadcastOf, gatewayOf } from './ipv4';

/**
 * The lowest address of the subnet that is neither the network, the
 * gateway, the broadcast address nor in use — dockerd's default bridge hands
 * out 172.17.0.2, .3, ... and reuses a released address first.
 * Returns undefined when the subnet is full.
 */
export function lowestFreeAddress(subnet: Ipv4Subnet, used: Iterable<number>): number | undefined {
  const taken = new Set(used);
  taken.add(gatewayOf(subnet));
  const last = broadcastOf(subnet) - 1;
  for (let a = subnet.network + 1; a <= last; a++) {
    if (!taken.has(a)) return a;
  }
  return undefined;
}
