/** The /etc/hosts, /etc/hostname and /etc/resolv.conf a container gets, as dockerd writes them. */

const DEFAULT_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface HostsInput {
  hostname: string;
  domainname?: string;
  /** The container's own address; none for `--network none`. */
  ipAddress?: string;
  /** HostConfig.ExtraHosts: `name:ip` (or `name=ip`); `host-gateway` is replaced by `hostGateway`. */
  extraHosts?: string[];
  hostGateway?: string;
  /** Legacy links on the default bridge: ready `IP\tnames` lines, after the extra hosts. */
  linkLines?: string[];
  /** Addresses on further networks, each given the container's names too. */
  moreAddresses?: string[];
}

/** `name:ip` entries; dockerd splits at the first `:` (IPv6 addresses keep theirs) and accepts `=`. */
export function parseExtraHost(entry: string, hostGateway = ''): { name: string; ip: string } {
  const sep = entry.includes('=') ? entry.indexOf('=') : entry.indexOf(':');
  if (sep <= 0) throw new Error(`invalid extra host: ${entry}`);
  const name = entry.slice(0, sep);
  let ip = entry.slice(sep + 1).replace(/^\[(.*)\]$/, '$1');
  if (ip === 'host-gateway') {
    if (!hostGateway) throw new Error('unable to derive the IP value for host-gateway');
    ip = hostGateway;
  }
  if (ip === '') throw new Error(`invalid extra host: ${entry}`);
  return { name, ip };
}

export function hostsFile(input: HostsInput): string {
  const lines = [...DEFAULT_HOSTS];
  for (const e of input.extraHosts ?? []) {
    const { name, ip } = parseExtraHost(e, input.hostGateway);
    lines.push(`${ip}\t${name}`);
  }
  lines.push(...(input.linkLines ?? []));
  const names = ownNames(input.hostname, input.domainname);
  for (const ip of [input.ipAddress, ...(input.moreAddresses ?? [])]) if (ip) lines.push(`${ip}\t${names}`);
  return lines.join('\n') + '\n';
}

/** The names a container's own address line carries. */
export function ownNames(hostname: string, domainname?: string): string {
  return domainname ? `${hostname}.${domainname} ${hostname}` : hostname;
}

/** /etc/hosts after a live connect: one more own-address line (dockerd's sandbox adds the new endpoint's). */
export function withHostsEntry(content: string, ip: string, names: string): string {
  const base = content === '' || content.endsWith('\n') ? content : `${content}\n`;
  return `${base}${ip}\t${names}\n`;
}

/** /etc/hosts after a live disconnect: the lines for that address go. */
export function withoutHostsEntry(content: string, ip: string): string {
  return content
    .split('\n')
    .filter((l) => l.split('\t')[0] !== ip)
    .join('\n');
}

/** With `--network host` the container sees the host's hosts file plus its extra hosts. */
export function hostNetworkHostsFile(hostHosts: string, extraHosts: string[] = [], hostGateway = ''): string {
  let out = hostHosts.endsWith('\n') || hostHosts === '' ? hostHosts : hostHosts + '\n';
  for (const e of extraHosts) {
    const { name, ip } = parseExtraHost(e, hostGateway);
    out += `${ip}\t${name}\n`;
  }
  return out;
}

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}

/** HostConfig.Dns, DnsSearch and DnsOptions replace the matching parts of the base resolv.conf. */
export function resolvConf(base: string, dns: string[] = [], search: string[] = [], options: string[] = []): string {
  if (dns.length === 0 && search.length === 0 && options.length === 0) return base;
  const lines = base.split('\n');
  const keep = lines.filter((l) => {
    const t = l.trim();
    if (dns.length > 0 && t.startsWith('nameserver')) return false;
    if (search.length > 0 && (t.startsWith('search') || t.startsWith('domain'))) return false;
    if (options.length > 0 && t.startsWith('options')) return false;
    return true;
  });
  const out = keep.filter((l, i) => l !== '' || i < keep.length - 1);
  if (search.length > 0) out.push(`search ${search.filter((s) => s !== '.').join(' ')}`.trimEnd());
  for (const ns of dns) out.push(`nameserver ${ns}`);
  if (options.length > 0) out.push(`options ${options.join(' ')}`);
  return out.filter((l, i, a) => !(l === '' && i === a.length - 1)).join('\n') + '\n';
}
