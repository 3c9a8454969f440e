import { isIP } from 'node:net';

import { DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, type Reference } from './reference';

/** Docker Hub's registry API host: `docker.io` is only the name in references. */
export const DEFAULT_REGISTRY_HOST = 'registry-1.docker.io';

/** Registries dockerd trusts over plain HTTP without being told (registry/config.go). */
export const DEFAULT_INSECURE_CIDRS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** The host (with port) to send registry API requests to for a reference or domain. */
export function registryHost(refOrDomain: Reference | string): string {
  const domain = typeof refOrDomain === 'string' ? refOrDomain : refOrDomain.domain;
  if (domain === DEFAULT_DOMAIN || domain === LEGACY_DEFAULT_DOMAIN || domain === '') return DEFAULT_REGISTRY_HOST;
  return domain;
}

/** Splits `host[:port]` or `[v6]:port`; the host comes back without brackets. */
export function splitHostPort(hostPort: string): { host: string; port?: string } {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0) return { host: hostPort };
    const host = hostPort.slice(1, end);
    const rest = hostPort.slice(end + 1);
    return rest.startsWith(':') ? { host, port: rest.slice(1) } : { host };
  }
  const first = hostPort.indexOf(':');
  // More than one colon without brackets is a bare IPv6 address.
  if (first < 0 || hostPort.indexOf(':', first + 1) >= 0) return { host: hostPort };
  return { host: hostPort.slice(0, first), port: hostPort.slice(first + 1) };
}

/** An address as a big integer plus its family's width, for prefix tests. */
function addressBits(ip: string): { value: bigint; width: number } | undefined {
  const family = isIP(ip);
  if (family === 4) {
    const value = ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { value, width: 32 };
  }
  if (family !== 6) return undefined;
  let text = ip.replace(/%.*$/, '');
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = addressBits(v4[1]!)!.value;
    text = `${text.slice(0, -v4[1]!.length)}${(b >> 16n).toString(16)}:${(b & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...fill, ...tailGroups];
  if (groups.length !== 8) return undefined;
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  // IPv4-mapped IPv6 addresses match IPv4 prefixes, as Go's netip does after Unmap.
  if (value >> 32n === 0xffffn) return { value: value & 0xffffffffn, width: 32 };
  return { value, width: 128 };
}

/** Whether `ip` lies in `cidr` (`10.0.0.0/8`, `fd00::/8`); false for anything unparsable. */
export function cidrContains(cidr: string, ip: string): boolean {
  const slash = cidr.indexOf('/');
  if (slash < 0) return false;
  const net = addressBits(cidr.slice(0, slash));
  const addr = addressBits(ip);
  const bits = Number(cidr.slice(slash + 1));
  if (!net || !addr || net.width !== addr.width || !Number.isInteger(bits) || bits < 0 || bits > net.width) return false;
  const shift = BigInt(net.width - bits);
  return net.value >> shift === addr.value >> shift;
}

/**
 * Whether a registry is reached over plain HTTP (or HTTPS without
 * verification), as dockerd's `insecure-registries` decides: an entry naming
 * the registry exactly (`myreg:5000`; `myreg` alone does not cover a port), a CIDR holding its IP address, or the
 * loopback defaults 127.0.0.0/8 and ::1. `localhost` counts as loopback, since
 * dockerd resolves names before the CIDR test; other names are not resolved
 * here (no DNS on the hot path).
 */
export function isInsecureRegistry(hostPort: string, insecureRegistries: readonly string[] = []): boolean {
  const { host } = splitHostPort(hostPort);
  const cidrs = [...DEFAULT_INSECURE_CIDRS];
  for (const entry of insecureRegistries) {
    const name = entry.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
    if (name.includes('/')) cidrs.push(name);
    // dockerd keys these by the exact index name, port included.
    else if (name === hostPort) return true;
  }
  const ips = host === 'localhost' || host.endsWith('.localhost') ? ['127.0.0.1', '::1'] : [host];
  return ips.some((ip) => isIP(ip.replace(/%.*$/, '')) !== 0 && cidrs.some((cidr) => cidrContains(cidr, ip)));
}
