import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { CommandError, runCommand } from '@berth/host';

export interface VethPlan {
  /** Host end, `veth` + 7 hex like dockerd's. */
  hostVeth: string;
  bridge: string;
  macAddress: string;
  /** `a.b.c.d/len` */
  addressCidr: string;
  gateway: string;
}

export function randomVethName(): string {
  return `veth${crypto.randomBytes(4).toString('hex').slice(0, 7)}`;
}

/** A random locally administered unicast MAC, as dockerd (since 25) gives each endpoint. */
export function randomMacAddress(): string {
  const bytes = crypto.randomBytes(6);
  bytes[0] = (bytes[0] & 0xfe) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * Wires a namespace to the bridge: a veth pair whose container end is born
 * inside the namespace as eth0, the address, the default route via the
 * bridge. A script for a shell that runs inside the new namespace (NetnsDirectory.create's `inside`): the host end is made
 * from `hostNetns` with the peer moved into the shell's namespace (`netns
 * $$`), then eth0 is configured where the shell stands. One process start
 * from Node for the whole attach instead of three.
 */
export function vethScript(plan: VethPlan, hostNetns: string): string {
  return [
    `nsenter --net=${hostNetns} ip link add ${plan.hostVeth} type veth peer name eth0 address ${plan.macAddress} netns $$`,
    DISABLE_IPV6,
    `ip addr add ${plan.addressCidr} brd + dev eth0`,
    'ip link set eth0 up',
    `ip route add default via ${plan.gateway} dev eth0`,
    `nsenter --net=${hostNetns} ip link set ${plan.hostVeth} master ${plan.bridge} up`,
  ].join('\n');
}

const DISABLE_IPV6 = 'f=/proc/sys/net/ipv6/conf/eth0/disable_ipv6; if [ -e $f ]; then echo 1 > $f || exit 1; fi;';

/** This process's own network namespace: the host's, where bridges and host veth ends live. */
export const HOST_NETNS = `/proc/${process.pid}/ns/net`;

/** Deletes the pair (both ends go together). Idempotent. */
export async function deleteVeth(hostVeth: string): Promise<void> {
  if (!hostVeth || !fs.existsSync(`/sys/class/net/${hostVeth}`)) return;
  await runCommand('ip', ['link', 'del', hostVeth]).catch((err: unknown) => {
    // Gone meanwhile (its namespace went away first): iproute2 says either.
    if (!(err instanceof CommandError && /cannot find device|no such device/i.test(err.stderr))) throw err;
  });
}
