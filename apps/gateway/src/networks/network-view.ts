import type { network } from '@berth/proto';
import { PREDEFINED_NETWORKS } from '@berth/engine-api';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** IPAMConfig with dockerd's omitempty fields: Subnet, IPRange, Gateway, AuxiliaryAddresses. */
function ipamConfigView(c: network.IpamConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.subnet) out.Subnet = c.subnet;
  if (c.ipRange) out.IPRange = c.ipRange;
  if (c.gateway) out.Gateway = c.gateway;
  if (Object.keys(c.auxiliaryAddresses).length > 0) out.AuxiliaryAddresses = c.auxiliaryAddresses;
  return out;
}

/**
 * IPAM.Options: the predefined networks are made by the engine without any
 * (null); a network made through the API keeps the map it was given, which
 * the CLI always sends (so `{}`). The proto map cannot say which of the two
 * an empty one was, so the network's origin decides.
 */
function ipamOptionsView(n: network.Network): Record<string, string> | null {
  if (Object.keys(n.ipamOptions).length > 0) return n.ipamOptions;
  return PREDEFINED_NETWORKS.includes(n.name) ? null : {};
}

function endpointView(e: network.NetworkEndpoint): Record<string, unknown> {
  return { Name: e.name, EndpointID: e.endpointId, MacAddress: e.macAddress, IPv4Address: e.ipv4Address, IPv6Address: e.ipv6Address };
}

/**
 * A network as dockerd shows it (network.Inspect, which the list shares), in
 * its field order. `Containers` is `{}` in a list (since API 1.28) and the
 * attached endpoints by container ID in an inspect. EnableIPv4 is shown at
 * every API version: dockerd 28 fills it whatever the version asked.
 */
export function networkView(n: network.Network, withContainers = true): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  if (withContainers) for (const e of n.containers) containers[e.containerId] = endpointView(e);
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created || ZERO_TIME,
    Scope: n.scope || 'local',
    Driver: n.driver,
    EnableIPv4: n.enableIpv4,
    EnableIPv6: n.enableIpv6,
    IPAM: {
      Driver: n.ipamDriver || 'default',
      Options: ipamOptionsView(n),
      Config: n.ipamConfig.length > 0 ? n.ipamConfig.map(ipamConfigView) : null,
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: n.ingress,
    ConfigFrom: { Network: n.configFrom },
    ConfigOnly: n.configOnly,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  };
}
