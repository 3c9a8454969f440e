import * as fs from 'node:fs';
import type { PortRange, Proto } from './port-spec';

/** /proc/sys/net/ipv4/ip_local_port_range ("32768\t60999"); dockerd's own default when it cannot be read. */
export function readEphemeralRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): PortRange {
  try {
    const [start, end] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(start) && Number.isInteger(end) && start >= 1 && end <= 65535 && start <= end) return { start, end };
  } catch {
    // fall through
  }
  return { start: 49153, end: 60999 };
}

/**
 * Local ports of a /proc/net/{tcp,udp}{,6} listing: for TCP only listening
 * sockets (state 0A), for UDP every bound one. Used as a hint when picking a
 * port, so most picks need no second try; binding is what decides.
 */
export function parseProcNetPorts(text: string, proto: 'tcp' | 'udp'): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const local = fields[1];
    const state = fields[3];
    if (proto === 'tcp' && state !== '0A') continue;
    const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (port > 0) ports.add(port);
  }
  return ports;
}

/** The ports processes on the host use for `proto` right now (sctp: none known). */
export function hostUsedPorts(proto: Proto, procNet = '/proc/net'): Set<number> {
  if (proto === 'sctp') return new Set();
  const out = new Set<number>();
  for (const file of [proto, `${proto}6`]) {
    let text: string;
    try {
      text = fs.readFileSync(`${procNet}/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const p of parseProcNetPorts(text, proto)) out.add(p);
  }
  return out;
}

/** Whether the host speaks IPv6 (an empty HostIp is then also published on [::]). */
export function hostHasIpv6(): boolean {
  try {
    return fs.existsSync('/proc/net/if_inet6') && fs.readFileSync('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8').trim() === '0';
  } catch {
    return false;
  }
}
