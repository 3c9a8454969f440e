import { isIPv4, isIPv6 } from 'node:net';

/** dockerd's fallback when the host lists no nameserver a container can reach. */
const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

function isLoopback(address: string): boolean {
  if (isIPv4(address)) return address.startsWith('127.');
  // ::1 in any spelling (0:0:0:0:0:0:0:1, ::0001)
  return isIPv6(address) && /^(0{0,4}:){2,7}0{0,3}1$/.test(address);
}

/**
 * The resolv.conf dockerd writes for a container outside the host's network
 * namespace (default bridge, none): the host's file with the nameservers a
 * container cannot use removed — loopback ones (they answer only in the
 * host's namespace) and IPv6 ones (the default bridge has no IPv6) — and
 * Google's servers when none are left. Search, options and everything else
 * are kept as they are.
 */
export function containerResolvConf(host: string): string {
  const lines = host.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kept = lines.filter((line) => {
    const fields = line.trim().split(/\s+/);
    if (fields[0] !== 'nameserver' || fields.length < 2) return true;
    // "nameserver fe80::1%eth0": the zone does not make it reachable either.
    const address = fields[1].split('%')[0];
    return !isLoopback(address) && !isIPv6(address);
  });
  const hasNameserver = kept.some((line) => /^\s*nameserver\s+\S/.test(line));
  if (!hasNameserver) {
    // At the end, where dockerd appends them.
    for (const ns of DEFAULT_NAMESERVERS) kept.push(`nameserver ${ns}`);
  }
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}
