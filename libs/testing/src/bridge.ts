import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Written into the instance's root so a later clean-up (even by another test process) finds the bridge. */
const BRIDGE_FILE = 'bridge.json';

export interface TestBridge {
  /** BERTH_BRIDGE_NAME: `bt` + 6 hex, within the 15-byte limit of interface names. */
  name: string;
  /** BERTH_BRIDGE_SUBNET: a 10.200.X.0/24 no route on the host uses yet. */
  subnet: string;
  /** BERTH_DEFAULT_ADDRESS_POOLS: `base=10.N.0.0/16,size=24` with N in 201..250, no route's and no other instance's. */
  pools?: string;
}

/** A bridge name and subnet of its own for one Berth instance, so several can run on one host. */
export function allocateTestBridge(root: string): TestBridge {
  const routes = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout ?? '';
  // Instances that started but made no bridge yet have no route: their files tell.
  const claimed = new Set<string>();
  const claimedPools = new Set<string>();
  for (const name of fs.readdirSync(path.dirname(root)).filter((n) => n.startsWith('berth-'))) {
    try {
      const other = JSON.parse(fs.readFileSync(path.join(path.dirname(root), name, BRIDGE_FILE), 'utf8')) as TestBridge;
      claimed.add(other.subnet);
      if (other.pools) claimedPools.add(other.pools);
    } catch { /* not an instance root */ }
  }
  let subnet = '';
  for (let attempt = 0; attempt < 64; attempt++) {
    const candidate = `10.200.${crypto.randomInt(0, 256)}.0/24`;
    if (!claimed.has(candidate) && !routes.includes(candidate.replace(/\.0\/24$/, '.'))) {
      subnet = candidate;
      break;
    }
  }
  if (!subnet) subnet = `10.200.${crypto.randomInt(0, 256)}.0/24`;
  // User networks' subnets: a /16 of the instance's own, carved in /24s.
  let pools = '';
  for (let attempt = 0; attempt < 64 && !pools; attempt++) {
    const n = crypto.randomInt(201, 251);
    const candidate = `base=10.${n}.0.0/16,size=24`;
    if (!claimedPools.has(candidate) && !new RegExp(`(^|\\s)10\\.${n}\\.`, 'm').test(routes)) pools = candidate;
  }
  if (!pools) pools = `base=10.${crypto.randomInt(201, 251)}.0.0/16,size=24`;
  const bridge = { name: `bt${crypto.randomBytes(3).toString('hex')}`, subnet, pools };
  fs.writeFileSync(path.join(root, BRIDGE_FILE), JSON.stringify(bridge));
  return bridge;
}

/**
 * Deletes everything of the instance network-service made, tagged with its
 * default bridge's name T: the interfaces whose ifalias is `berth:T`
 * (bridges, host veth ends), the default bridge itself, every iptables rule
 * carrying the comment `berth:T` in any chain, and the chains named
 * `BERTH-...-T` (flushed, unlinked, deleted).
 */
export function removeTestBridge(root: string): string[] {
  let bridge: TestBridge;
  try {
    bridge = JSON.parse(fs.readFileSync(path.join(root, BRIDGE_FILE), 'utf8')) as TestBridge;
  } catch {
    return [];
  }
  const problems: string[] = [];
  if (!/^[A-Za-z0-9]{1,15}$/.test(bridge.name)) return [`bad bridge name in ${BRIDGE_FILE}`];
  if (fs.existsSync(`/sys/class/net/${bridge.name}`)) {
    const r = spawnSync('ip', ['link', 'del', bridge.name], { encoding: 'utf8' });
    if (r.status !== 0 && fs.existsSync(`/sys/class/net/${bridge.name}`)) problems.push(`could not delete bridge ${bridge.name}: ${r.stderr.trim()}`);
  }
  const comment = `berth:${bridge.name}`;
  for (const name of fs.readdirSync('/sys/class/net')) {
    let alias = '';
    try {
      alias = fs.readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim();
    } catch { continue; }
    if (alias !== comment) continue;
    const r = spawnSync('ip', ['link', 'del', name], { encoding: 'utf8' });
    if (r.status !== 0 && fs.existsSync(`/sys/class/net/${name}`)) problems.push(`could not delete interface ${name}: ${r.stderr.trim()}`);
  }
  const ownChain = (chain: string) => chain.startsWith('BERTH-') && chain.endsWith(`-${bridge.name}`);
  for (const table of ['nat', 'filter']) {
    const listing = spawnSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8' });
    if (listing.status !== 0) continue; // no iptables: nothing was added either
    for (const line of listing.stdout.split('\n')) {
      // nft's iptables quotes the comment, legacy does not; ours has no spaces.
      const fields = line.trim().split(/\s+/).map((f) => f.replace(/^"(.*)"$/, '$1'));
      const jumpsToOurs = fields.some((f, i) => (fields[i - 1] === '-j' || fields[i - 1] === '-g') && ownChain(f));
      if (fields[0] !== '-A' || (!fields.includes(comment) && !jumpsToOurs)) continue;
      // Rules inside our own chains go with the chain's flush below.
      if (ownChain(fields[1])) continue;
      const r = spawnSync('iptables', ['-w', '-t', table, '-D', ...fields.slice(1)], { encoding: 'utf8' });
      if (r.status !== 0) problems.push(`could not delete iptables rule "${line}": ${r.stderr.trim()}`);
    }
    const chains = listing.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[0] === '-N' && ownChain(f[1])).map((f) => f[1]);
    for (const chain of chains) spawnSync('iptables', ['-w', '-t', table, '-F', chain], { encoding: 'utf8' });
    for (const chain of chains) {
      const r = spawnSync('iptables', ['-w', '-t', table, '-X', chain], { encoding: 'utf8' });
      if (r.status !== 0) problems.push(`could not delete iptables chain ${chain}: ${r.stderr.trim()}`);
    }
  }
  return problems;
}
