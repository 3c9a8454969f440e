import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { CommandError, ipBatch, run } from './command';

export interface VethPlan {
  /** Host end, `veth` + 7 hex like dockerd's. */
  hostVeth: string;
  bridge: string;
  netnsPath: string;
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
 * bridge. Two process starts: one on the host, one in the namespace.
 */
export async function connectVeth(plan: VethPlan): Promise<void> {
  await ipBatch([
    `link add ${plan.hostVeth} type veth peer name eth0 address ${plan.macAddress} netns ${plan.netnsPath}`,
    `link set ${plan.hostVeth} master ${plan.bridge} up`,
  ]);
  // dockerd turns IPv6 off on an interface whose network has none, before the
  // link comes up (so no link-local address either). /proc/sys/net answers for
  // the namespace of the process that opens it, hence inside nsenter.
  await run('nsenter', [`--net=${plan.netnsPath}`, 'sh', '-c', `${DISABLE_IPV6} exec ip -batch -`], [
    `addr add ${plan.addressCidr} brd + dev eth0`,
    'link set eth0 up',
    `route add default via ${plan.gateway} dev eth0`,
  ].join('\n') + '\n');
}

const DISABLE_IPV6 = 'f=/proc/sys/net/ipv6/conf/eth0/disable_ipv6; if [ -e $f ]; then echo 1 > $f || exit 1; fi;';

/** Deletes the pair (both ends go together). Idempotent. */
export async function deleteVeth(hostVeth: string): Promise<void> {
  if (!hostVeth || !fs.existsSync(`/sys/class/net/${hostVeth}`)) return;
  await run('ip', ['link', 'del', hostVeth]).catch((err: unknown) => {
    if (!(err instanceof CommandError && /cannot find device/i.test(err.stderr))) throw err;
  });
}
