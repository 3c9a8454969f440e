import * as net from 'node:net';
import { RpcError } from '@berth/rpc';
import type { PortBindingRequest, PublishRequest } from './port-publisher';

export type Proto = 'tcp' | 'udp' | 'sctp';

export interface PortRange {
  start: number;
  end: number;
}

/**
 * One host port to find for one container port: on every address of
 * `hostIps` at once (an empty HostIp means 0.0.0.0 and, with IPv6, [::] on
 * the same port number, as dockerd lists them).
 */
export interface PlannedBinding {
  /** NetworkSettings.Ports key, e.g. "80/tcp". */
  key: string;
  proto: Proto;
  containerPort: number;
  hostIps: string[];
  /** null: any free port of the ephemeral range. */
  hostPorts: PortRange | null;
}

const PROTOS: readonly Proto[] = ['tcp', 'udp', 'sctp'];

function parsePortNumber(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text)) throw RpcError.invalidArgument(`invalid ${what}: ${text}`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw RpcError.invalidArgument(`invalid ${what}: ${text}`);
  return n;
}

/** "8080" or "8080-8090" (inclusive); both ends 1-65535, start <= end. */
export function parsePortRange(text: string, what: string): PortRange {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const n = parsePortNumber(text, what);
    return { start: n, end: n };
  }
  const start = parsePortNumber(text.slice(0, dash), what);
  const end = parsePortNumber(text.slice(dash + 1), what);
  if (end < start) throw RpcError.invalidArgument(`invalid ${what}: ${text}`);
  return { start, end };
}

/** A Config.ExposedPorts / PortBindings key: "80", "80/tcp", "53/udp", "8000-8010/tcp" (tcp when no protocol). */
export function parsePortKey(key: string): { ports: PortRange; proto: Proto } {
  const slash = key.indexOf('/');
  const portText = slash < 0 ? key : key.slice(0, slash);
  const protoText = slash < 0 ? 'tcp' : key.slice(slash + 1).toLowerCase();
  if (!PROTOS.includes(protoText as Proto)) throw RpcError.invalidArgument(`invalid proto: ${protoText}`);
  return { ports: parsePortRange(portText, 'containerPort'), proto: protoText as Proto };
}

/** The single-port keys a (possibly ranged) key stands for, normalised: "80-81" → ["80/tcp", "81/tcp"]. */
export function expandPortKey(key: string): string[] {
  const { ports, proto } = parsePortKey(key);
  const out: string[] = [];
  for (let p = ports.start; p <= ports.end; p++) out.push(`${p}/${proto}`);
  return out;
}

/** HostIp as the API gives it ("", "0.0.0.0", "127.0.0.1", "::", "[::1]") → the addresses to hold. */
export function hostIpsFor(hostIp: string, ipv6: boolean): string[] {
  const ip = hostIp.trim().replace(/^\[(.*)\]$/, '$1');
  if (ip === '') return ipv6 ? ['0.0.0.0', '::'] : ['0.0.0.0'];
  if (net.isIP(ip) === 0) throw RpcError.invalidArgument(`invalid host IP address: ${hostIp}`);
  return [ip];
}

export function ipFamily(ip: string): 4 | 6 {
  return net.isIPv6(ip) ? 6 : 4;
}

export function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/** "0.0.0.0:8080", "[::]:8080", as dockerd prints a host address and port. */
export function formatHostAddress(ip: string, port: number | string): string {
  return ipFamily(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function planOne(b: PortBindingRequest, ipv6: boolean): PlannedBinding[] {
  const { ports, proto } = parsePortKey(b.containerPort);
  const hostIps = hostIpsFor(b.hostIp ?? '', ipv6);
  const hostText = (b.hostPort ?? '').trim();
  // "0" asks for any free port, as an empty one does (dockerd; Testcontainers sends it).
  const hostRange = hostText === '' || hostText === '0' ? null : parsePortRange(hostText, 'hostPort');
  const count = ports.end - ports.start + 1;
  const out: PlannedBinding[] = [];
  if (count === 1) {
    out.push({ key: `${ports.start}/${proto}`, proto, containerPort: ports.start, hostIps, hostPorts: hostRange });
    return out;
  }
  // A container range maps 1:1 onto a host range of the same length, or each onto an ephemeral port.
  if (hostRange && hostRange.end - hostRange.start + 1 !== count) {
    throw RpcError.invalidArgument(`invalid ranges specified for container and host Ports: ${b.containerPort} and ${hostText}`);
  }
  for (let i = 0; i < count; i++) {
    const hostPorts = hostRange ? { start: hostRange.start + i, end: hostRange.start + i } : null;
    out.push({ key: `${ports.start + i}/${proto}`, proto, containerPort: ports.start + i, hostIps, hostPorts });
  }
  return out;
}

/**
 * Every host port the request asks for, in its order: the explicit bindings,
 * then (-P) one ephemeral binding on all addresses (or the network's
 * host_binding_ipv4) for each exposed port that has no binding of its own.
 */
export function planBindings(req: Pick<PublishRequest, 'bindings' | 'publishAll' | 'exposed' | 'hostBindingIpv4'>, ipv6: boolean): PlannedBinding[] {
  const planned = req.bindings.flatMap((b) => planOne(b, ipv6));
  if (req.publishAll) {
    const bound = new Set(planned.map((p) => p.key));
    for (const key of req.exposed.flatMap(expandPortKey)) {
      if (bound.has(key)) continue;
      bound.add(key);
      planned.push(...planOne({ containerPort: key, hostIp: req.hostBindingIpv4 ?? '', hostPort: '' }, ipv6));
    }
  }
  return planned;
}

/** One published address: what the PortMap lists. */
export interface PublishedAddress {
  key: string;
  hostIp: string;
  hostPort: number;
}

export type PortMapValue = Record<string, { HostIp: string; HostPort: string }[] | null>;

/** NetworkSettings.Ports: exposed ports without a binding map to null; bound ones list their host addresses in order. */
export function buildPortMap(exposed: string[], published: PublishedAddress[]): PortMapValue {
  const map: PortMapValue = {};
  for (const key of exposed.flatMap(expandPortKey)) map[key] = null;
  for (const p of published) {
    const list = map[p.key] ?? (map[p.key] = []);
    list.push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  }
  return map;
}
