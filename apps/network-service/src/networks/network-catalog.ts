import { Filters } from '@berth/engine-api';
import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { AddressPool, hostRouteSubnets, nextFreeSubnet, overlaps } from '../ipam/subnet-pools';
import { IpamConfigInput, NetworkIpam, parseCidr, validateIpamConfig } from '../ipam/network-ipam';
import { formatIpv4, formatSubnet, gatewayOf, Ipv4Subnet } from '../ipam/ipv4';
import { bridgeOptions, refuseUnbuiltOptions, OPT_BRIDGE_NAME, OPT_HOST_BINDING, OPT_ICC, OPT_MASQUERADE, OPT_MTU } from './bridge-options';
import type { BridgeNetworks } from './bridge-networks';
import { listPredicate, prunePredicate } from './network-filters';
import { findNetwork } from './network-resolver';
import { isPredefined, nanoTimestamp, NetworkRecord, NetworkStore, randomId } from './network-store';

export interface CreateNetworkInput {
  name: string;
  driver: string;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  enableIpv4?: boolean;
  enableIpv6: boolean;
  ipamDriver: string;
  ipamConfig: IpamConfigInput[];
  ipamOptions: Record<string, string>;
  options: Record<string, string>;
  labels: Record<string, string>;
  configOnly: boolean;
  configFrom: string;
  scope: string;
}

/** One container on a network, as GET /networks/{id} lists it. */
export interface NetworkContainer {
  containerId: string;
  name: string;
  endpointId: string;
  macAddress: string;
  ipv4Address: string;
}

export interface NetworkView extends NetworkRecord {
  containers: NetworkContainer[];
}

/** Drivers dockerd has but Berth does not build (yet): refused clearly rather than as unknown plugins. */
const UNBUILT_DRIVERS = ['overlay', 'macvlan', 'ipvlan'];

/**
 * The network API: create, inspect, list, remove and prune networks. The
 * containers' side (endpoints) is NetworkManager's; this class only reads it.
 */
export class NetworkCatalog {
  constructor(
    private readonly store: NetworkStore,
    private readonly bridges: BridgeNetworks,
    private readonly pools: AddressPool[],
    private readonly events: EventSink,
    private readonly logger: Logger,
    private readonly routes: () => Ipv4Subnet[] = hostRouteSubnets,
  ) {}

  async create(req: CreateNetworkInput): Promise<{ id: string; warning: string }> {
    const name = req.name;
    if (!name) throw RpcError.invalidArgument('invalid name: name is empty');
    // runconfig.IsPreDefinedNetwork: "default" counts too.
    if (isPredefined(name) || name === 'default') throw RpcError.permissionDenied(`operation is not permitted on predefined ${name} network `.trimEnd());
    const driver = req.driver || 'bridge';
    if (driver === 'host' || driver === 'null') throw RpcError.permissionDenied(`only one instance of "${driver}" network is allowed`);
    if (UNBUILT_DRIVERS.includes(driver)) throw RpcError.invalidArgument(`the ${driver} network driver is not supported by Berth yet: only bridge networks can be created`);
    if (driver !== 'bridge') throw RpcError.notFound(`plugin "${driver}" not found`);
    const ipamDriver = req.ipamDriver || 'default';
    if (ipamDriver !== 'default') throw RpcError.notFound(`plugin "${ipamDriver}" not found`);
    if (req.enableIpv6) throw RpcError.invalidArgument('IPv6 networks are not supported by Berth yet (EnableIPv6)');
    if (req.enableIpv4 === false) throw RpcError.invalidArgument('IPv6-only networks are not supported by Berth yet (EnableIPv4 false)');
    if (req.ingress) throw RpcError.invalidArgument('ingress networks need swarm mode, which Berth does not have');
    if (req.configOnly || req.configFrom) throw RpcError.invalidArgument('config-only networks (ConfigOnly, ConfigFrom) are not supported by Berth yet');
    if (req.scope && req.scope !== 'local') throw RpcError.invalidArgument(`scope ${req.scope} is not supported by Berth: networks are local`);
    refuseUnbuiltOptions(req.options);
    const opts = bridgeOptions(req.options);
    const explicit = validateIpamConfig(req.ipamConfig);
    if (this.store.network(name)) throw RpcError.conflict(`network with name ${name} already exists`);

    const id = randomId();
    const bridge = opts.bridgeName || `br-${id.slice(0, 12)}`;
    const routes = explicit ? [] : this.routes();
    const defaultSubnet = this.bridges.defaultBridge.subnet;
    let record: NetworkRecord;
    try {
      record = this.store.createNetwork(
        {
          name, id, driver, created: nanoTimestamp(), scope: 'local', internal: req.internal, attachable: req.attachable, ingress: false,
          enableIpv4: true, enableIpv6: false, ipamDriver, ipamOptions: req.ipamOptions, options: req.options, labels: req.labels,
          configOnly: false, configFrom: '', bridge,
        },
        (existing) => [placeSubnet(explicit, existing, defaultSubnet, routes, this.pools, bridge, this.bridges.defaultBridge.name)],
      );
    } catch (err) {
      if (err instanceof Error && /UNIQUE constraint failed: networks\.name/.test(err.message)) throw RpcError.conflict(`network with name ${name} already exists`);
      throw err;
    }
    try {
      await this.bridges.ensure(record);
    } catch (err) {
      await this.bridges.remove(record).catch(() => undefined);
      this.store.removeNetwork(record.id);
      throw err;
    }
    await this.emit('create', record);
    return { id, warning: '' };
  }

  /** By name, full id or unique id prefix; Containers lists the endpoints of running containers. */
  inspect(term: string): NetworkView {
    const n = this.withDefaults(findNetwork(term, this.store.networks()));
    return { ...n, containers: this.containersOf(n) };
  }

  list(filters: { key: string; values: string[] }[]): NetworkRecord[] {
    const keep = listPredicate(Filters.fromList(filters), (n) => this.store.endpointCount(n.id));
    return this.store.networks().map((n) => this.withDefaults(n)).filter(keep);
  }

  async remove(term: string): Promise<void> {
    const n = findNetwork(term, this.store.networks());
    if (isPredefined(n.name)) throw RpcError.permissionDenied(`${n.name} is a pre-defined network and cannot be removed`);
    await this.removeRecord(n);
  }

  async prune(filters: { key: string; values: string[] }[]): Promise<string[]> {
    const keep = prunePredicate(Filters.fromList(filters), (n) => this.store.endpointCount(n.id));
    const deleted: string[] = [];
    for (const n of this.store.networks().filter(keep)) {
      try {
        await this.removeRecord(n);
        deleted.push(n.name);
      } catch (err) {
        // A container joined it meanwhile: dockerd skips it too.
        this.logger.warn('could not prune a network', { network: n.name, error: String(err) });
      }
    }
    return deleted;
  }

  private async removeRecord(n: NetworkRecord): Promise<void> {
    const outcome = this.store.removeNetwork(n.id);
    if (outcome === 'busy') {
      const eps = this.store.endpointsOn(n.id).map((e) => `name:"${e.containerName}" id:"${e.endpointId.slice(0, 12)}"`);
      throw RpcError.permissionDenied(`error while removing network: network ${n.name} has active endpoints (${eps.join(', ')})`);
    }
    if (outcome === 'gone') throw RpcError.notFound(`network ${n.id} not found`);
    await this.bridges.remove(n).catch((err: unknown) => this.logger.warn('could not remove a network\'s bridge', { network: n.name, error: String(err) }));
    await this.emit('destroy', n);
  }

  private containersOf(n: NetworkRecord): NetworkContainer[] {
    const w = this.bridges.wiring(n);
    return this.store.endpointsOn(n.id).map((e) => ({
      containerId: e.containerId,
      name: e.containerName,
      endpointId: e.endpointId,
      macAddress: e.macAddress,
      ipv4Address: e.address !== undefined && w ? `${formatIpv4(e.address)}/${w.prefixLen}` : '',
    }));
  }

  /** The default bridge's IPAM and options come from configuration, as dockerd shows docker0's. */
  private withDefaults(n: NetworkRecord): NetworkRecord {
    if (n.name !== 'bridge') return n;
    const d = this.bridges.defaultBridge;
    return {
      ...n,
      ipam: [{ subnet: formatSubnet(d.subnet), ipRange: '', gateway: d.gateway, auxAddresses: {} }],
      bridge: d.name,
      options: {
        'com.docker.network.bridge.default_bridge': 'true',
        [OPT_ICC]: 'true',
        [OPT_MASQUERADE]: 'true',
        [OPT_HOST_BINDING]: '0.0.0.0',
        [OPT_BRIDGE_NAME]: d.name,
        [OPT_MTU]: String(d.mtu || 1500),
      },
    };
  }

  /** dockerd's network events: Actor.Attributes name and type (the driver). */
  private async emit(action: 'create' | 'destroy', n: NetworkRecord): Promise<void> {
    await this.events
      .publish({ Type: 'network', Action: action, Actor: { ID: n.id, Attributes: { name: n.name, type: n.driver } }, scope: 'local' })
      .catch((err: unknown) => this.logger.warn('could not publish a network event', { action, network: n.name, error: String(err) }));
  }
}

/**
 * The network's subnet: the explicit one unless it overlaps another network
 * of this Berth (dockerd's "Pool overlaps"), or the first pool subnet that
 * overlaps no network and no host route. Runs inside the store's transaction.
 */
export function placeSubnet(
  explicit: NetworkIpam | undefined,
  existing: NetworkRecord[],
  defaultSubnet: Ipv4Subnet,
  routes: Ipv4Subnet[],
  pools: AddressPool[],
  bridge: string,
  defaultBridgeName: string,
): NetworkIpam {
  if (existing.some((n) => n.bridge === bridge) || bridge === defaultBridgeName) {
    throw RpcError.conflict(`bridge name ${bridge} is already in use by another network`);
  }
  const taken = [defaultSubnet, ...existing.flatMap((n) => n.ipam.map((i) => parseCidr(i.subnet, 'subnet')))];
  if (explicit) {
    const subnet = parseCidr(explicit.subnet, 'subnet');
    if (taken.some((t) => overlaps(t, subnet))) throw RpcError.permissionDenied('invalid pool request: Pool overlaps with other one on this address space');
    return explicit;
  }
  const subnet = nextFreeSubnet(pools, [...taken, ...routes]);
  if (!subnet) throw RpcError.permissionDenied('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  return { subnet: formatSubnet(subnet), ipRange: '', gateway: formatIpv4(gatewayOf(subnet)), auxAddresses: {}, auto: true };
}
