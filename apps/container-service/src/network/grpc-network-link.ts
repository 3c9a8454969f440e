import type { ContainerRecord } from '../containers/container-record';
import type { network } from '@berth/proto';
import type { PromiseClient } from '@berth/rpc';
import type { NetworkAttachment, NetworkLink } from '../lifecycle/network-link';

export type NetworkClient = PromiseClient<network.NetworkServiceClient>;

/** The container's network from network-service: a namespace (or the host's) at start, released at stop. */
export class GrpcNetworkLink implements NetworkLink {
  constructor(private readonly networks: NetworkClient) {}

  async attach(record: ContainerRecord): Promise<NetworkAttachment> {
    const res = await this.networks.attach({
      containerId: record.Id,
      networkMode: (record.HostConfig.NetworkMode as string | undefined) ?? '',
      hostname: (record.Config.Hostname as string | undefined) ?? '',
      domainname: (record.Config.Domainname as string | undefined) ?? '',
      extraHosts: (record.HostConfig.ExtraHosts as string[] | null | undefined) ?? [],
      containerName: record.Name.replace(/^\//, ''),
      endpoints: [],
      portBindings: [],
      publishAllPorts: false,
      exposedPorts: [],
      dns: [],
      dnsSearch: [],
      dnsOptions: [],
    });
    return {
      netnsPath: res.netnsPath || undefined,
      hostNetwork: res.hostNetwork,
      resolvConf: res.resolvConf,
      ipAddress: res.ipAddress || undefined,
      gateway: res.gateway || undefined,
      settings: JSON.parse(res.settingsJson) as Record<string, unknown>,
    };
  }

  async detach(containerId: string): Promise<void> {
    await this.networks.detach({ containerId });
  }
}
