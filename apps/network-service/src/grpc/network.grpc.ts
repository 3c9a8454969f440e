import { Inject, Injectable } from '@nestjs/common';
import { network } from '@berth/proto';
import { ServiceBinding, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { NetworkManager, Attachment } from '../networks/network-manager';
import { NetworkCatalog, NetworkView } from '../networks/network-catalog';
import type { NetworkRecord } from '../networks/network-store';
import { LOGGER } from '../tokens';

function toAttachResponse(a: Attachment): network.AttachNetworkResponse {
  return {
    netnsPath: a.netnsPath,
    settingsJson: JSON.stringify(a.settings),
    resolvConf: a.resolvConf,
    ipAddress: a.ipAddress,
    gateway: a.gateway,
    ipPrefixLen: a.ipPrefixLen,
    macAddress: a.macAddress,
    hostNetwork: a.hostNetwork,
    embeddedDns: a.embeddedDns,
  };
}

function toNetwork(n: NetworkRecord | NetworkView): network.Network {
  return {
    name: n.name,
    id: n.id,
    created: n.created,
    scope: n.scope,
    driver: n.driver,
    enableIpv4: n.enableIpv4,
    enableIpv6: n.enableIpv6,
    ipamDriver: n.ipamDriver,
    ipamConfig: n.ipam.map((i) => ({ subnet: i.subnet, ipRange: i.ipRange, gateway: i.gatewayImplied ? '' : i.gateway, auxiliaryAddresses: i.auxAddresses })),
    ipamOptions: n.ipamOptions,
    internal: n.internal,
    attachable: n.attachable,
    ingress: n.ingress,
    configFrom: n.configFrom,
    configOnly: n.configOnly,
    options: n.options,
    labels: n.labels,
    containers: 'containers' in n ? n.containers.map((c) => ({ ...c, ipv6Address: '' })) : [],
  };
}

/** The NetworkService contract; each method hands straight to NetworkManager (containers) or NetworkCatalog (networks). */
@Injectable()
export class NetworkGrpcController {
  constructor(private readonly networks: NetworkManager, private readonly catalog: NetworkCatalog, @Inject(LOGGER) private readonly logger: Logger) {}

  binding(): ServiceBinding {
    const n = this.networks;
    const c = this.catalog;
    const l = this.logger;
    const implementation: network.NetworkServiceServer = {
      attach: unary(async (req: network.AttachNetworkRequest) => toAttachResponse(await n.attach(req)), l),
      detach: unary(async (req: network.DetachNetworkRequest) => {
        await n.detach(req.containerId);
        return {};
      }, l),
      connect: unary(async (req: network.ConnectNetworkRequest): Promise<network.ContainerNetworkSettings> => {
        const endpoint = req.endpoint ?? { network: '', aliases: [], ipv4Address: '', ipv6Address: '', macAddress: '', links: [], driverOpts: {}, gwPriority: 0, linkLocalIps: [] };
        const settings = await n.connect({ containerId: req.containerId, containerName: req.containerName, hostname: req.hostname, endpoint });
        return { settingsJson: JSON.stringify(settings) };
      }, l),
      disconnect: unary(async (req: network.DisconnectNetworkRequest): Promise<network.ContainerNetworkSettings> => {
        const settings = await n.disconnect(req.containerId, req.network);
        return { settingsJson: JSON.stringify(settings) };
      }, l),
      createNetwork: unary(async (req: network.CreateNetworkRequest): Promise<network.CreateNetworkResponse> => c.create(req), l),
      inspectNetwork: unary(async (req: network.NetworkRef): Promise<network.Network> => toNetwork(c.inspect(req.id)), l),
      listNetworks: unary(async (req: network.ListNetworksRequest): Promise<network.ListNetworksResponse> => ({ networks: c.list(req.filters).map(toNetwork) }), l),
      removeNetwork: unary(async (req: network.NetworkRef) => {
        await c.remove(req.id);
        return {};
      }, l),
      pruneNetworks: unary(async (req: network.PruneNetworksRequest): Promise<network.PruneNetworksResponse> => ({ networksDeleted: await c.prune(req.filters) }), l),
    };
    return { definition: network.NetworkServiceService, implementation };
  }
}
