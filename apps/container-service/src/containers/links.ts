import { splitProtoPort } from './port-specs';

/**
 * Legacy links (`--link name[:alias]`) on the default bridge, as dockerd
 * gives them: a line in /etc/hosts and the link's environment variables.
 * On user networks a link is only a DNS alias, which network-service keeps.
 */

export interface ParsedLink {
  /** The linked container as the user named it, without a leading "/". */
  name: string;
  alias: string;
}

/**
 * `name` or `name:alias` (dockerd's opts.ParseLink); the alias defaults to the
 * name. The stored form `/name:/parent/alias` reads back the same.
 */
export function parseLink(spec: string): ParsedLink {
  if (spec === '') throw new Error('empty string specified for links');
  const parts = spec.split(':');
  if (parts.length > 2) throw new Error(`bad format for links: ${spec}`);
  if (parts.length === 1) return { name: spec.replace(/^\//, ''), alias: spec.replace(/^\//, '') };
  if (parts[0].startsWith('/')) return { name: parts[0].slice(1), alias: parts[1].slice(parts[1].lastIndexOf('/') + 1) };
  return { name: parts[0], alias: parts[1] };
}

/** What a start knows of the linked container. */
export interface LinkTarget {
  alias: string;
  /** The linked container's name, without "/". */
  name: string;
  id: string;
  hostname: string;
  ip: string;
  /** Its Config.ExposedPorts keys. */
  exposed: string[];
  /** Its Config.Env. */
  env: string[];
}

/** inspect's HostConfig.Links entry: `/b:/a/alias`. */
export function inspectLink(parentName: string, link: ParsedLink): string {
  return `/${link.name}:/${parentName}/${link.alias}`;
}

/** The /etc/hosts line for a link: the alias, the linked container's hostname and (when it differs from the alias) its name. */
export function linkHostsLine(t: LinkTarget): string {
  const names = [t.alias, t.hostname];
  if (t.alias !== t.name) names.push(t.name);
  return `${t.ip}\t${names.join(' ')}`;
}

interface PortNum {
  port: number;
  proto: string;
}

/** Ports lowest first; for one number, tcp before the others. */
function sortedPorts(exposed: string[]): PortNum[] {
  return exposed
    .map((k) => {
      const { proto, port } = splitProtoPort(k);
      return { port: Number(port), proto };
    })
    .filter((p) => Number.isInteger(p.port))
    .sort((a, b) => a.port - b.port || (a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto.localeCompare(b.proto)));
}

/**
 * The environment a link gives (moby's links package): ALIAS_PORT for the
 * lowest port, ALIAS_PORT_<n>_<PROTO>[_ADDR|_PORT|_PROTO] for each port,
 * _START/_END for runs of consecutive ports of one protocol, ALIAS_NAME,
 * and ALIAS_ENV_<var> for the linked container's own variables but HOME and PATH.
 */
export function linkEnv(parentName: string, t: LinkTarget): string[] {
  const alias = t.alias.toUpperCase().replace(/-/g, '_');
  const env: string[] = [];
  const ports = sortedPorts(t.exposed);
  if (ports.length > 0) env.push(`${alias}_PORT=${ports[0].proto}://${t.ip}:${ports[0].port}`);
  for (let i = 0; i < ports.length; ) {
    let j = i;
    while (j + 1 < ports.length && ports[j + 1].port === ports[j].port + 1 && ports[j + 1].proto === ports[i].proto) j++;
    if (j > i) {
      const p = ports[i];
      const q = ports[j];
      const P = p.proto.toUpperCase();
      env.push(`${alias}_PORT_${p.port}_${P}_START=${p.proto}://${t.ip}:${p.port}`);
      env.push(`${alias}_PORT_${p.port}_${P}_ADDR=${t.ip}`);
      env.push(`${alias}_PORT_${p.port}_${P}_PROTO=${p.proto}`);
      env.push(`${alias}_PORT_${p.port}_${P}_PORT_START=${p.port}`);
      env.push(`${alias}_PORT_${p.port}_${q.proto.toUpperCase()}_END=${q.proto}://${t.ip}:${q.port}`);
      env.push(`${alias}_PORT_${p.port}_${q.proto.toUpperCase()}_PORT_END=${q.port}`);
    }
    i = j + 1;
  }
  for (const p of ports) {
    const prefix = `${alias}_PORT_${p.port}_${p.proto.toUpperCase()}`;
    env.push(`${prefix}=${p.proto}://${t.ip}:${p.port}`, `${prefix}_ADDR=${t.ip}`, `${prefix}_PORT=${p.port}`, `${prefix}_PROTO=${p.proto}`);
  }
  env.push(`${alias}_NAME=/${parentName}/${t.alias}`);
  for (const v of t.env) {
    const eq = v.indexOf('=');
    if (eq < 0) continue;
    const key = v.slice(0, eq);
    if (key === 'HOME' || key === 'PATH') continue;
    env.push(`${alias}_ENV_${key}=${v.slice(eq + 1)}`);
  }
  return env;
}

/** The container's own variables win over a link's of the same name. */
export function mergeLinkEnv(linkVars: string[], own: string[]): string[] {
  const keyOf = (v: string) => (v.includes('=') ? v.slice(0, v.indexOf('=')) : v);
  const ownKeys = new Set(own.map(keyOf));
  return [...linkVars.filter((v) => !ownKeys.has(keyOf(v))), ...own];
}
