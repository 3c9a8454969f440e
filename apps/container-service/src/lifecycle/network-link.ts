import type { ContainerRecord } from '../containers/container-record';

/** What a container's start needs from its network. */
export interface NetworkAttachment {
  /** The namespace to join; absent with host networking (or for a fresh empty namespace). */
  netnsPath?: string;
  hostNetwork: boolean;
  resolvConf: string;
  ipAddress?: string;
  gateway?: string;
  /** Docker's NetworkSettings for inspect. */
  settings: Record<string, unknown>;
}

export interface NetworkLink {
  attach(record: ContainerRecord): Promise<NetworkAttachment>;
  detach(containerId: string): Promise<void>;
}

/**
 * What inspect shows of a stopped container's network (dockerd's release of
 * the sandbox): the namespace and addresses go, the networks and their ids stay.
 */
export function stoppedNetworkSettings(settings: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!settings) return settings;
  const out: Record<string, unknown> = { ...settings, SandboxID: '', SandboxKey: '' };
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
