import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { CommandError, runCommand } from '@berth/host';

export interface VethPlan {
  /** Host end, `veth` + 7 hex like dockerd's. */
  hostVeth: string;
  bridge: string;
  /** The container end: eth0, eth1, ... */
  ifName: string;
  macAddress: string;
  /** `a.b.c.d/len` */
  addressCidr: string;
  /** '' when this network gives no default route (internal, or not the first). */
  defaultGateway: string;
  /** 0: the kernel's default. */
  mtu: number;
  /** The host end's ifalias (`berth:<tag>`), so a sweep finds it. */
  alias: string;
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

const NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/**
 * Wires a namespace to a bridge: a veth pair whose container end is born
 * inside the namespace under its final name, the address, the default route
 * when this network gives it. A script for a shell standing in the container's
 * namespace (NetnsDirectory.create's or run's): the host end is made from
 * `hostNetns` with the peer moved into the shell's namespace (`netns $$`),
 * then the container end is configured where the shell stands. One process
 * start from Node for the whole endpoint.
 */
export function vethScript(plan: VethPlan, hostNetns: string): string {
  for (const n of [plan.hostVeth, plan.bridge, plan.ifName]) if (!NAME.test(n)) throw new Error(`invalid interface name "${n}"`);
  if (!MAC.test(plan.macAddress)) throw new Error(`invalid MAC address "${plan.macAddress}"`);
  if (!/^[A-Za-z0-9:_.-]+$/.test(plan.alias)) throw new Error(`invalid interface alias "${plan.alias}"`);
  const mtu = plan.mtu ? ` mtu ${plan.mtu}` : '';
  const disableIpv6 = `f=/proc/sys/net/ipv6/conf/${plan.ifName}/disable_ipv6; if [ -e $f ]; then echo 1 > $f || exit 1; fi;`;
  // `ip -batch`: one process for the host side, one for the container side.
  return [
    `nsenter --net=${hostNetns} ip -batch - <<EOF`,
    `link add ${plan.hostVeth}${mtu} type veth peer name ${plan.ifName}${mtu} address ${plan.macAddress} netns $$`,
    `link set dev ${plan.hostVeth} master ${plan.bridge} alias ${plan.alias} up`,
    'EOF',
    disableIpv6,
    'ip -batch - <<EOF',
    `addr add ${plan.addressCidr} brd + dev ${plan.ifName}`,
    `link set ${plan.ifName} up`,
    ...(plan.defaultGateway ? [`route replace default via ${plan.defaultGateway} dev ${plan.ifName}`] : []),
    'EOF',
    unsolicitedArp(plan.ifName, plan.addressCidr.split('/')[0]),
  ].join('\n');
}

/**
 * Unsolicited ARP for the new address, three times a second apart as dockerd
 * (27+) advertises: a released address comes back behind a new random MAC,
 * and peers (and the host) that cached the old one would send into the void
 * until their entry expires. In the background with every descriptor away
 * from the caller's pipes, so the attach does not wait for it.
 */
function unsolicitedArp(ifName: string, address: string): string {
  const run = `if command -v arping >/dev/null; then arping -U -c 3 -I ${ifName} ${address}; elif command -v busybox >/dev/null; then busybox arping -U -c 3 -I ${ifName} ${address}; fi`;
  return `( ${run} ) </dev/null >/dev/null 2>&1 &`;
}

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
