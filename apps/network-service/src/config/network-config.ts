import { Ipv4Subnet, parseSubnet } from '../ipam/ipv4';
import { AddressPool, parseAddressPools } from '../ipam/subnet-pools';

export interface NetworkConfig {
  /** The default bridge's interface (dockerd: docker0). */
  bridgeName: string;
  /** The default bridge's subnet (dockerd: 172.17.0.0/16; ours must not clash with a real docker0). */
  subnet: Ipv4Subnet;
  /** Where namespaces are bind-mounted: <run-root>/netns. */
  netnsDir: string;
  /** <data-root>/network: the database. */
  stateDir: string;
  /** BERTH_DEFAULT_ADDRESS_POOLS: where user networks' subnets come from (dockerd's defaults unless set). */
  addressPools: AddressPool[];
}

type Env = Record<string, string | undefined>;

/** Linux interface names: at most 15 bytes, no '/', ':' or whitespace. */
export function validInterfaceName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

export function loadNetworkConfig(runRoot: string, dataRoot: string, env: Env = process.env): NetworkConfig {
  const bridgeName = env.BERTH_BRIDGE_NAME || 'berth0';
  if (!validInterfaceName(bridgeName)) throw new Error(`BERTH_BRIDGE_NAME "${bridgeName}" is not a valid interface name (at most 15 letters, digits, '_', '.', '-')`);
  let subnet: Ipv4Subnet;
  try {
    subnet = parseSubnet(env.BERTH_BRIDGE_SUBNET || '172.18.0.0/16');
  } catch (err) {
    throw new Error(`BERTH_BRIDGE_SUBNET: ${(err as Error).message}`);
  }
  let addressPools: AddressPool[];
  try {
    addressPools = parseAddressPools(env.BERTH_DEFAULT_ADDRESS_POOLS);
  } catch (err) {
    throw new Error(`BERTH_DEFAULT_ADDRESS_POOLS: ${(err as Error).message}`);
  }
  return { bridgeName, subnet, netnsDir: `${runRoot}/netns`, stateDir: `${dataRoot}/network`, addressPools };
}
