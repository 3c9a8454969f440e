import type { ContainerRecord } from '../containers/container-record';
import type { network } from '@berth/proto';
import type { PromiseClient } from '@berth/rpc';
import type { NetworkAttachment, NetworkLink } from '../lifecycle/network-link';
import type { NetworkInfo, NetworkResolver } from '../containers/network-plan';
import { attachRequest, endpointRequest } from './attach-request';

export type NetworkClient = PromiseClient<network.NetworkServiceClient>;

function settingsOf(json: string): Record<string, unknown> {
  return json === '' ? {} : (JSON.parse(json) as Record<string, unknown>);
}

/** The container's network from network-service: a namespace (or the host's) at start, released at stop; connect and disconnect while it runs. */
export class GrpcNetworkLink implements NetworkLink, NetworkResolver {
  constructor(private readonly networks: NetworkClient) {}

  async attach(record: ContainerRecord): Promise<NetworkAttachment> {
    const res = await this.networks.attach(attachRequest(record));
    return {
      netnsPath: res.netnsPath || undefined,
      hostNetwork: res.hostNetwork,
      resolvConf: res.resolvConf,
      ipAddress: res.ipAddress || undefined,
      gateway: res.gateway || undefined,
      embeddedDns: res.embeddedDns,
      settings: settingsOf(res.settingsJson),
    };
  }

  async detach(containerId: string): Promise<void> {
    await this.networks.detach({ containerId });
  }

  async connect(record: ContainerRecord, networkName: string, endpoint: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await this.networks.connect({
      containerId: record.Id,
      containerName: record.Name.replace(/^\//, ''),
      hostname: (record.Config.Hostname as string | undefined) ?? '',
      endpoint: endpointRequest(networkName, endpoint),
    });
    return settingsOf(res.settingsJson);
  }

  async disconnect(containerId: string, networkRef: string, force: boolean): Promise<Record<string, unknown>> {
    const res = await this.networks.disconnect({ containerId, network: networkRef, force });
    return settingsOf(res.settingsJson);
  }

  async inspect(ref: string): Promise<NetworkInfo> {
    const n = await this.networks.inspectNetwork({ id: ref, verbose: false, scope: '' });
    return { id: n.id, name: n.name };
  }
}
