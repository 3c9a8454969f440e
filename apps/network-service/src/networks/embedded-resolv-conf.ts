/**
 * The resolv.conf of a container on a user network: the embedded DNS (on the
 * network's gateway; dockerd's is 127.0.0.11) as the only nameserver, with
 * the host's search and options lines, as dockerd writes it. The host's
 * nameservers are where the embedded DNS forwards other names.
 */
export function embeddedResolvConf(host: string, dnsAddress: string): string {
  const kept = host.split('\n').filter((line) => /^\s*(search|domain|options)\s/.test(line)).map((l) => l.trim());
  return [`nameserver ${dnsAddress}`, ...kept].join('\n') + '\n';
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
