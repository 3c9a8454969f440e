/**
 * Port keys ("80/tcp") and HostConfig.PortBindings as dockerd reads them:
 * the create-time check, the ports that join ExposedPorts, the summary
 * Ports array `docker ps` shows and the `publish=`/`expose=` filters.
 */

export interface HostBinding {
  HostIp?: string;
  HostPort?: string;
}
export type PortBindings = Record<string, HostBinding[] | null>;
/** NetworkSettings.Ports: an exposed but unpublished port maps to null. */
export type PortMap = Record<string, HostBinding[] | null>;

/** One entry of the summary's Ports (Docker's types.Port), in its JSON field order. */
export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** "80/udp" → ["udp", "80"]; without a protocol, tcp (Go's nat.SplitProtoPort). */
export function splitProtoPort(key: string): { proto: string; port: string } {
  const slash = key.indexOf('/');
  if (slash < 0) return { proto: 'tcp', port: key };
  const proto = key.slice(slash + 1);
  return { proto: proto === '' ? 'tcp' : proto.toLowerCase(), port: key.slice(0, slash) };
}

/** A single port number 0-65535, as Go's ParseUint(…, 10, 16); "" is 0. */
function parsePortNumber(s: string): number | undefined {
  if (s === '') return 0;
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/** "8000" or "8000-8010" ("" is 0-0); undefined when malformed or reversed. */
export function parsePortRange(s: string): { start: number; end: number } | undefined {
  if (s === '') return { start: 0, end: 0 };
  const dash = s.indexOf('-');
  if (dash < 0) {
    const n = parsePortNumber(s);
    return n === undefined ? undefined : { start: n, end: n };
  }
  const start = parsePortNumber(s.slice(0, dash));
  const end = parsePortNumber(s.slice(dash + 1));
  if (start === undefined || end === undefined || end < start || s.slice(0, dash) === '' || s.slice(dash + 1) === '') return undefined;
  return { start, end };
}

/** The key with its protocol spelled out, as dockerd stores it ("80" → "80/tcp"). */
export function portKey(key: string): string {
  const { proto, port } = splitProtoPort(key);
  return `${port}/${proto}`;
}

/**
 * dockerd's validatePortBindings (daemon/container.go): a container port that
 * is not a number, or a host port that is neither a number nor a range, is
 * refused with "invalid port specification: %q". Undefined when all is well.
 */
export function portBindingsError(bindings: PortBindings | null | undefined): string | undefined {
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port } = splitProtoPort(key);
    if (parsePortNumber(port) === undefined) return `invalid port specification: ${JSON.stringify(port)}`;
    for (const b of list ?? []) {
      const host = b?.HostPort ?? '';
      if (parsePortRange(splitProtoPort(host).port) === undefined) return `invalid port specification: ${JSON.stringify(host)}`;
    }
  }
  return undefined;
}

/** Every published container port is exposed too (inspect's Config.ExposedPorts lists it, as dockerd's does). */
export function withBoundPortsExposed(exposed: Record<string, unknown> | null | undefined, bindings: PortBindings | null | undefined): Record<string, object> | undefined {
  const keys = Object.keys(bindings ?? {});
  if (keys.length === 0) return (exposed ?? undefined) as Record<string, object> | undefined;
  const out: Record<string, object> = { ...((exposed ?? {}) as Record<string, object>) };
  for (const k of keys) if (!(portKey(k) in out)) out[portKey(k)] = {};
  return out;
}

/** The summary's Ports from NetworkSettings.Ports (dockerd's list.go): one entry per binding, `{PrivatePort,Type}` for an exposed-only port. */
export function portsSummary(ports: PortMap | null | undefined): PortSummary[] {
  const out: PortSummary[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const { proto, port } = splitProtoPort(key);
    const privatePort = Number(port);
    if (!bindings || bindings.length === 0) {
      out.push({ PrivatePort: privatePort, Type: proto });
      continue;
    }
    for (const b of bindings) {
      const entry: PortSummary = { IP: b.HostIp ?? '', PrivatePort: privatePort, PublicPort: Number(b.HostPort ?? 0) || 0, Type: proto };
      if (entry.IP === '') delete entry.IP;
      if (entry.PublicPort === 0) delete entry.PublicPort;
      out.push(entry);
    }
  }
  return out;
}

/**
 * A `publish=` or `expose=` filter value as the set of port keys it names:
 * `80`, `80/tcp`, `8000-8080/tcp`. dockerd's wording for what it refuses.
 */
export function portFilterKeys(filter: string, value: string): Set<string> | string {
  if (value.includes(':')) return `filter for '${filter}' should not contain ':': ${value}`;
  const { proto, port } = splitProtoPort(value);
  const range = parsePortRange(port);
  if (!range) return `error while looking up for ${filter} ${value}: invalid range specified for port: ${port}`;
  const out = new Set<string>();
  for (let p = range.start; p <= range.end; p++) out.add(`${p}/${proto}`);
  return out;
}
