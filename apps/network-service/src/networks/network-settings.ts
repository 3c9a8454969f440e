import { emptyNetworkSettings } from '@berth/engine-api';

/** One endpoint as inspect reports it. */
export interface EndpointView {
  network: string;
  networkId: string;
  endpointId: string;
  sandboxId: string;
  sandboxKey: string;
  ipAddress: string;
  ipPrefixLen: number;
  gateway: string;
  macAddress: string;
}

/**
 * Docker's NetworkSettings (API 1.50, dockerd 28) in its JSON field order:
 * the deprecated top-level address fields are filled only for the default
 * bridge, as dockerd does; the endpoint under Networks always is.
 */
export function networkSettings(e: EndpointView): Record<string, unknown> {
  const bridge = e.network === 'bridge';
  return {
    ...emptyNetworkSettings(),
    SandboxID: e.sandboxId,
    SandboxKey: e.sandboxKey,
    EndpointID: bridge ? e.endpointId : '',
    Gateway: bridge ? e.gateway : '',
    IPAddress: bridge ? e.ipAddress : '',
    IPPrefixLen: bridge ? e.ipPrefixLen : 0,
    MacAddress: bridge ? e.macAddress : '',
    Networks: {
      [e.network]: {
        IPAMConfig: null,
        Links: null,
        Aliases: null,
        MacAddress: e.macAddress,
        DriverOpts: null,
        GwPriority: 0,
        NetworkID: e.networkId,
        EndpointID: e.endpointId,
        Gateway: e.gateway,
        IPAddress: e.ipAddress,
        IPPrefixLen: e.ipPrefixLen,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: null,
      },
    },
  };
}
