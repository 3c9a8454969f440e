import type { ContainerRecord } from '../containers/container-record';

/** What a container's start needs from its network. */
export interface NetworkAttachment {
  /** The namespace to join; absent with host networking (or for a fresh empty namespace). */
  netnsPath?: string;
  hostNetwork: boolean;
  resolvConf: string;
  ipAddress?: string;
  gateway?: string;
  /** network-service's DNS answers for the container: resolv.conf keeps its nameserver, HostConfig.Dns went to network-service. */
  embeddedDns?: boolean;
  /**
   * `--network container:X`: X's /etc/hosts, /etc/hostname and /etc/resolv.conf
   * content, which the container gets as they are (dockerd shares X's files).
   */
  shared?: { hosts: string; hostname: string; resolvConf: string };
  /** Docker's NetworkSettings for inspect. */
  settings: Record<string, unknown>;
}

export interface NetworkLink {
  attach(record: ContainerRecord): Promise<NetworkAttachment>;
  detach(containerId: string): Promise<void>;
  /** A running container joins one more network; the container's whole NetworkSettings after. */
  connect(record: ContainerRecord, networkName: string, endpoint: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** A running container leaves a network; the container's whole NetworkSettings after. */
  disconnect(containerId: string, network: string, force: boolean): Promise<Record<string, unknown>>;
}

/**
 * What inspect shows of a stopped container's network (dockerd's release of
 * the sandbox): the namespace and addresses go, the networks and their ids stay.
 */
export function stoppedNetworkSettings(settings: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!settings) return settings;
  // dockerd releases the published ports with the sandbox: inspect shows none
  const out: Record<string, unknown> = { ...settings, SandboxID: '', SandboxKey: '', Ports: {} };
  for (const k of ['EndpointID', 'Gateway', 'GlobalIPv6Address', 'IPAddress', 'IPv6Gateway', 'MacAddress']) if (k in out) out[k] = '';
  for (const k of ['GlobalIPv6PrefixLen', 'IPPrefixLen']) if (k in out) out[k] = 0;
  const networks = settings.Networks as Record<string, Record<string, unknown>> | undefined;
  if (networks) {
    out.Networks = Object.fromEntries(
      Object.entries(networks).map(([name, ep]) => {
        const e: Record<string, unknown> = { ...ep };
        for (const k of ['EndpointID', 'Gateway', 'IPAddress', 'IPv6Gateway', 'GlobalIPv6Address', 'MacAddress']) if (k in e) e[k] = '';
        for (const k of ['IPPrefixLen', 'GlobalIPv6PrefixLen']) if (k in e) e[k] = 0;
        return [name, e];
      }),
    );
  }
  return out;
}

/** What a container asked of each endpoint; shown in inspect as asked. */
const REQUESTED = ['IPAMConfig', 'Links', 'Aliases', 'DriverOpts'] as const;

/**
 * The settings network-service answered, with what the container asked of
 * each endpoint (IPAMConfig, Links, Aliases, DriverOpts) filled in where the
 * answer left it null: inspect shows them as dockerd does, whatever the
 * answer carried.
 */
export function withRequestedSettings(settings: Record<string, unknown>, endpoints: Record<string, Record<string, unknown>> | undefined): Record<string, unknown> {
  const networks = settings.Networks as Record<string, Record<string, unknown>> | undefined;
  if (!networks || !endpoints) return settings;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, ep] of Object.entries(networks)) {
    const asked = endpoints[name];
    const e = { ...ep };
    if (asked) for (const k of REQUESTED) if ((e[k] === undefined || e[k] === null) && asked[k] !== undefined && asked[k] !== null) e[k] = asked[k];
    out[name] = e;
  }
  return { ...settings, Networks: out };
}
