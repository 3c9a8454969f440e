import { emptyNetworkSettings } from '@berth/engine-api';
import type { PortMap } from '../ports/port-publisher';

/** One endpoint as inspect reports it under Networks.<name>. */
export interface EndpointView {
  network: string;
  networkId: string;
  endpointId: string;
  ipAddress: string;
  ipPrefixLen: number;
  gateway: string;
  macAddress: string;
  /** --ip as asked; '' when allocated (IPAMConfig is then null). */
  requestedIpv4: string;
  aliases: string[];
  links: string[];
  /** null on the default bridge and host/none (no embedded DNS there). */
  dnsNames: string[] | null;
  driverOpts: Record<string, string>;
  gwPriority: number;
}

export interface SandboxView {
  sandboxId: string;
  sandboxKey: string;
  ports: PortMap;
  /** In the order the container joined them. */
  endpoints: EndpointView[];
}

function endpointSettings(e: EndpointView): Record<string, unknown> {
  return {
    IPAMConfig: e.requestedIpv4 ? { IPv4Address: e.requestedIpv4 } : null,
    Links: e.links.length > 0 ? e.links : null,
    Aliases: e.aliases.length > 0 ? e.aliases : null,
    MacAddress: e.macAddress,
    DriverOpts: Object.keys(e.driverOpts).length > 0 ? e.driverOpts : null,
    GwPriority: e.gwPriority,
    NetworkID: e.networkId,
    EndpointID: e.endpointId,
    Gateway: e.gateway,
    IPAddress: e.ipAddress,
    IPPrefixLen: e.ipPrefixLen,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: e.dnsNames,
  };
}

/**
 * Docker's NetworkSettings (API 1.50, dockerd 28) in its JSON field order:
 * every endpoint under Networks; the deprecated top-level address fields are
 * filled only from the default bridge's endpoint, as dockerd does.
 */
export function networkSettings(s: SandboxView): Record<string, unknown> {
  const bridge = s.endpoints.find((e) => e.network === 'bridge');
  const networks: Record<string, unknown> = {};
  for (const e of s.endpoints) networks[e.network] = endpointSettings(e);
  return {
    ...emptyNetworkSettings(),
    SandboxID: s.sandboxId,
    SandboxKey: s.sandboxKey,
    Ports: s.ports,
    EndpointID: bridge ? bridge.endpointId : '',
    Gateway: bridge ? bridge.gateway : '',
    IPAddress: bridge ? bridge.ipAddress : '',
    IPPrefixLen: bridge ? bridge.ipPrefixLen : 0,
    MacAddress: bridge ? bridge.macAddress : '',
    Networks: networks,
  };
}

/**
 * dockerd 25+'s DNSNames on a network with service discovery: the container's
 * name, its aliases, its short id and its hostname, without repeats.
 */
export function endpointDnsNames(containerName: string, aliases: string[], containerId: string, hostname: string): string[] {
  const names = [containerName, ...aliases, containerId.slice(0, 12), hostname].filter((n) => n !== '');
  return [...new Set(names)];
}
