/**
 * Docker's NetworkSettings with nothing attached, in dockerd's JSON field
 * order (API 1.50): what inspect shows of a container never started, and the
 * base a network endpoint's settings are written over.
 */
export function emptyNetworkSettings(): Record<string, unknown> {
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: '',
    Ports: {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    MacAddress: '',
    Networks: {},
  };
}
