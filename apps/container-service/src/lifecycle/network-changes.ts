import * as fs from 'node:fs';
import { RpcError } from '@berth/rpc';
import type { ContainerPaths } from '../containers/container-paths';
import type { ContainerRecord } from '../containers/container-record';
import { containerModeTarget, createdEndpoint, NetworkInfo, NetworkResolver, StoredEndpoint } from '../containers/network-plan';
import { ownNames, withHostsEntry, withoutHostsEntry } from './etc-files';
import type { LifecycleRecords } from './lifecycle-records';
import { withRequestedSettings, type NetworkLink } from './network-link';

const SHARED = 'container sharing network namespace with another container or host cannot be connected to any other network';
const HOST = 'container cannot be disconnected from host network or connected to host network';
const NONE = 'container cannot be connected to multiple networks with one of the networks in private (none) mode';

type Endpoints = Record<string, StoredEndpoint>;

function live(r: ContainerRecord): boolean {
  return r.State.Status === 'running' || r.State.Status === 'paused';
}

function endpointsOf(r: ContainerRecord): Endpoints {
  return { ...((r.NetworkingConfig?.EndpointsConfig ?? {}) as Endpoints) };
}

/** The network's entry among the container's endpoints: by name, or by the id the endpoint recorded. */
function connectedName(endpoints: Endpoints, net: NetworkInfo): string | undefined {
  if (net.name in endpoints) return net.name;
  return Object.keys(endpoints).find((k) => net.id !== '' && endpoints[k].NetworkID === net.id);
}

/**
 * `docker network connect` and `disconnect` as container-service sees them
 * (the caller holds the container's lock): dockerd's refusals; on a
 * container that is not running only the record changes (applied at its
 * next start); on a running one network-service wires it at once, the
 * record takes the settings it answers, and /etc/hosts follows.
 */
export class NetworkChanges {
  constructor(
    private readonly records: LifecycleRecords,
    private readonly network: NetworkLink,
    private readonly resolver: NetworkResolver,
    private readonly paths: ContainerPaths,
  ) {}

  async connect(id: string, networkRef: string, endpointConfig: Record<string, unknown>): Promise<void> {
    const r = this.records.get(id);
    if (r.State.Status === 'removing' || r.State.Status === 'dead') throw RpcError.conflict(`container ${r.Id} is marked for removal and cannot be connected or disconnected to the network`);
    const net = await this.resolver.inspect(networkRef);
    const mode = String(r.HostConfig.NetworkMode || 'bridge');
    if (containerModeTarget(mode) !== undefined) throw RpcError.invalidArgument(SHARED);
    if (mode === 'host' || net.name === 'host') throw RpcError.invalidArgument(HOST);
    if (mode === 'none' || net.name === 'none') throw RpcError.invalidArgument(NONE);
    const endpoints = endpointsOf(r);
    if (connectedName(endpoints, net) !== undefined) throw RpcError.permissionDenied(`endpoint with name ${r.Name} already exists in network ${net.name}`);
    if (net.name === 'bridge') {
      const ipam = (endpointConfig.IPAMConfig ?? {}) as { IPv4Address?: string; IPv6Address?: string };
      if (Array.isArray(endpointConfig.Aliases) && endpointConfig.Aliases.length > 0) throw RpcError.invalidArgument('network-scoped alias is supported only for containers in user defined networks');
      if (ipam.IPv4Address || ipam.IPv6Address) throw RpcError.invalidArgument('user specified IP address is supported on user defined networks only');
    }
    const endpoint = createdEndpoint(endpointConfig, net.id);
    if (!live(r)) {
      this.records.update(id, (rec) => ({
        ...rec,
        NetworkingConfig: { ...rec.NetworkingConfig, EndpointsConfig: { ...endpoints, [net.name]: endpoint } as never },
        NetworkSettings: { ...(rec.NetworkSettings ?? {}), Networks: { ...(rec.NetworkSettings?.Networks ?? {}), [net.name]: { ...endpoint } } } as never,
      }));
      return;
    }
    const settings = await this.network.connect(r, net.name, endpoint);
    this.records.update(id, (rec) => ({
      ...rec,
      NetworkingConfig: { ...rec.NetworkingConfig, EndpointsConfig: { ...endpointsOf(rec), [net.name]: endpoint } as never },
      NetworkSettings: withRequestedSettings(settings, { ...endpointsOf(rec), [net.name]: endpoint }) as never,
    }));
    const ip = ((settings.Networks ?? {}) as Record<string, { IPAddress?: string }>)[net.name]?.IPAddress ?? '';
    if (ip !== '') this.editHosts(r, (hosts) => withHostsEntry(hosts, ip, ownNames((r.Config.Hostname as string) || r.Id.slice(0, 12), r.Config.Domainname as string | undefined)));
  }

  async disconnect(id: string, networkRef: string, force: boolean): Promise<void> {
    const r = this.records.get(id);
    const mode = String(r.HostConfig.NetworkMode || 'bridge');
    if (containerModeTarget(mode) !== undefined) throw RpcError.invalidArgument(SHARED);
    let net: NetworkInfo;
    try {
      net = await this.resolver.inspect(networkRef);
    } catch (err) {
      // a network already gone can still be dropped from a container's record with --force
      if (!force) throw err;
      net = { id: '', name: networkRef };
    }
    if (mode === 'host' && net.name === 'host') throw RpcError.invalidArgument(HOST);
    const endpoints = endpointsOf(r);
    const name = connectedName(endpoints, net);
    if (!live(r)) {
      if (name === undefined) throw RpcError.internal(`container ${r.Id} is not connected to the network ${net.name}`);
      delete endpoints[name];
      this.records.update(id, (rec) => {
        const networks = { ...((rec.NetworkSettings?.Networks ?? {}) as Record<string, unknown>) };
        delete networks[name];
        return { ...rec, NetworkingConfig: { ...rec.NetworkingConfig, EndpointsConfig: endpoints as never }, NetworkSettings: { ...(rec.NetworkSettings ?? {}), Networks: networks } as never };
      });
      return;
    }
    if (name === undefined) throw RpcError.internal(`container ${r.Id} is not connected to network ${net.name}`);
    const ip = ((r.NetworkSettings?.Networks ?? {}) as Record<string, { IPAddress?: string }>)[name]?.IPAddress ?? '';
    const settings = await this.network.disconnect(r.Id, net.id || name, force);
    this.records.update(id, (rec) => {
      const eps = endpointsOf(rec);
      delete eps[name];
      return { ...rec, NetworkingConfig: { ...rec.NetworkingConfig, EndpointsConfig: eps as never }, NetworkSettings: withRequestedSettings(settings, eps) as never };
    });
    if (ip !== '') this.editHosts(r, (hosts) => withoutHostsEntry(hosts, ip));
  }

  /** The container's /etc/hosts is a file of its own (bind-mounted): rewritten in place for the running container to see. */
  private editHosts(r: ContainerRecord, edit: (hosts: string) => string): void {
    const file = this.paths.hosts(r.Id);
    let hosts: string;
    try {
      hosts = fs.readFileSync(file, 'utf8');
    } catch {
      return;
    }
    // in place, not by rename: the bind mount holds the file's inode
    fs.writeFileSync(file, edit(hosts));
  }
}
