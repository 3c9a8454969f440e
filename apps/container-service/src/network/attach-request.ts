import type { network } from '@berth/proto';
import type { ContainerRecord } from '../containers/container-record';
import { parseLink } from '../containers/links';
import { portKey } from '../containers/port-specs';

/**
 * What network-service's Attach and Connect need of a container, read from
 * its record: the endpoints in order (the NetworkMode's network first, as
 * create stored them), the port bindings and the DNS settings.
 */

type Endpoint = Record<string, unknown>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** One stored endpoint as network-service's EndpointRequest. */
export function endpointRequest(networkName: string, ep: Endpoint | null | undefined): network.EndpointRequest {
  const e = ep ?? {};
  const ipam = (e.IPAMConfig ?? {}) as { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null };
  return {
    network: networkName,
    aliases: strings(e.Aliases),
    ipv4Address: ipam.IPv4Address ?? '',
    ipv6Address: ipam.IPv6Address ?? '',
    macAddress: (e.MacAddress as string | undefined) ?? '',
    // "name:alias" as the embedded DNS wants them, whatever form was stored
    links: strings(e.Links).map((l) => {
      const { name, alias } = parseLink(l);
      return `${name}:${alias}`;
    }),
    driverOpts: Object.fromEntries(Object.entries((e.DriverOpts ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    gwPriority: typeof e.GwPriority === 'number' ? e.GwPriority : 0,
    linkLocalIps: strings(ipam.LinkLocalIPs),
  };
}

/** HostConfig.PortBindings flattened, one entry per host binding (a port with no binding list is published on a free port). */
export function portBindings(bindings: unknown): network.PortBinding[] {
  const out: network.PortBinding[] = [];
  for (const [key, list] of Object.entries((bindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>)) {
    const entries = list && list.length > 0 ? list : [{}];
    for (const b of entries) out.push({ containerPort: portKey(key), hostIp: b?.HostIp ?? '', hostPort: b?.HostPort ?? '' });
  }
  return out;
}

export function attachRequest(r: ContainerRecord): network.AttachNetworkRequest {
  const hc = r.HostConfig as Record<string, unknown>;
  const endpoints = Object.entries((r.NetworkingConfig?.EndpointsConfig ?? {}) as Record<string, Endpoint | null>);
  const mode = String(hc.NetworkMode || 'bridge');
  const userNetworks = mode !== 'host' && mode !== 'none';
  return {
    containerId: r.Id,
    networkMode: mode,
    hostname: (r.Config.Hostname as string | undefined) ?? '',
    domainname: (r.Config.Domainname as string | undefined) ?? '',
    extraHosts: strings(hc.ExtraHosts),
    containerName: r.Name.replace(/^\//, ''),
    endpoints: userNetworks ? endpoints.map(([name, ep]) => endpointRequest(name, ep)) : [],
    portBindings: userNetworks ? portBindings(hc.PortBindings) : [],
    publishAllPorts: userNetworks && hc.PublishAllPorts === true,
    exposedPorts: userNetworks ? Object.keys((r.Config.ExposedPorts ?? {}) as Record<string, unknown>).map(portKey) : [],
    dns: strings(hc.Dns),
    dnsSearch: strings(hc.DnsSearch),
    dnsOptions: strings(hc.DnsOptions),
  };
}
