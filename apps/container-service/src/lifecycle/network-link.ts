import * as fs from 'node:fs';
import type { ContainerRecord } from '@berth/engine-api';

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

/** dockerd's resolv.conf filtering: loopback nameservers removed, Google's as the fallback. */
export function containerResolvConf(host: string): string {
  const lines = host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b|0\.0\.0\.0)/.test(l));
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (!lines.some((l) => /^\s*nameserver\s/.test(l))) lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  return lines.join('\n') + '\n';
}

export function hostResolvConf(): string {
  try {
    return fs.readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Stand-in until network-service wires namespaces: `host` shares the host's
 * network, everything else gets a fresh namespace with loopback only.
 */
export class IsolatedNetworkLink implements NetworkLink {
  async attach(record: ContainerRecord): Promise<NetworkAttachment> {
    const host = record.HostConfig.NetworkMode === 'host';
    const base = hostResolvConf();
    return { hostNetwork: host, resolvConf: host ? base : containerResolvConf(base), settings: {} };
  }

  async detach(): Promise<void> {
    // nothing was made outside the container's own namespace
  }
}
