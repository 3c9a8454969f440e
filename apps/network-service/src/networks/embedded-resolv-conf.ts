/**
 * The resolv.conf of a container on a user network: the embedded DNS (on the
 * network's gateway; dockerd's is 127.0.0.11) as the only nameserver, with
 * the host's search lines and its options plus `ndots:0` unless the host sets
 * ndots — dockerd adds the resolver's own option so that single-label names
 * (container names) go to the embedded DNS as they are. The host's
 * nameservers are where the embedded DNS forwards other names.
 */
export function embeddedResolvConf(host: string, dnsAddress: string): string {
  const lines = host.split('\n').map((l) => l.trim());
  const search = lines.filter((l) => /^(search|domain)\s/.test(l));
  const options = lines.filter((l) => /^options\s/.test(l)).flatMap((l) => l.split(/\s+/).slice(1));
  if (!options.some((o) => o.startsWith('ndots:'))) options.push('ndots:0');
  return [`nameserver ${dnsAddress}`, ...search, `options ${options.join(' ')}`].join('\n') + '\n';
}

/** The host's nameservers (what the embedded DNS forwards to when a container has no --dns). */
export function hostNameservers(host: string): string[] {
  const out: string[] = [];
  for (const line of host.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) out.push(f[1].split('%')[0]);
  }
  return out;
}
