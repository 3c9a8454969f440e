// Thirty containers across three user networks (some publishing ephemeral host
// ports, some connected to a second network), all removed, then the networks:
// afterwards the host holds nothing of them. What is looked for is what the
// wiring makes: a bridge per network, a veth per endpoint, a namespace per
// container (under the instance's run root, never /var/run/netns), iptables
// rules (NAT, isolation, published ports) and whatever listens on the
// published ports. The machine is shared with other Berths, so each check is
// narrowed to what this test's own networks and containers made.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Berth, HostWatch, startBerthWithBusybox, dockerOk, sharedScratch, watchHost } from '../index';

let berth: Berth;
let watch: HostWatch;
const tag = crypto.randomBytes(2).toString('hex');
// Three /24s of this test's range (10.66.0.0/16), away from the bench's 10.66.250+.
const base = 16 + crypto.randomInt(0, 70) * 3;
const NETWORKS = [0, 1, 2].map((i) => ({ name: `lo${tag}-n${i}`, subnet: `10.66.${base + i}.0/24`, prefix: `10.66.${base + i}.` }));
const COUNT = 30;

before(async () => {
  berth = await startBerthWithBusybox();
  // Other work on the machine makes its scratch files (and `ip netns add` its
  // /run/netns) meanwhile; anything else new outside Berth's roots counts.
  watch = watchHost(berth, { allow: (p) => sharedScratch(p) || /^\/tmp\/dref-/.test(p) || /^\/(var\/)?run\/netns$/.test(p) });
});

after(async () => {
  if (berth) {
    // A failed run still leaves a clean host: containers first, then the networks.
    const ids = (await berth.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
    if (ids.length > 0) await berth.docker(['rm', '-f', ...ids]);
    for (const n of NETWORKS) await berth.docker(['network', 'rm', n.name]);
  }
  await berth?.stop();
});

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });

interface Link {
  master?: string;
  kind: string;
  /** Berth marks what it makes with `berth:<instance tag>`. */
  alias?: string;
}

/** Host interfaces by name, with their master (bridge) when enslaved. */
function links(): Map<string, Link> {
  const out = new Map<string, Link>();
  for (const l of JSON.parse(sh('ip', ['-d', '-j', 'link', 'show'])) as Array<Record<string, any>>) {
    out.set(l.ifname as string, { master: l.master as string | undefined, kind: (l.linkinfo?.info_kind as string | undefined) ?? '', alias: l.ifalias as string | undefined });
  }
  return out;
}

/** The bridge holding `addr` (its gateway address), from the host's addresses. */
function interfaceWithAddress(prefix: string): string | undefined {
  for (const l of JSON.parse(sh('ip', ['-4', '-j', 'addr', 'show'])) as Array<Record<string, any>>) {
    if ((l.addr_info as Array<{ local: string }>).some((a) => a.local.startsWith(prefix))) return l.ifname as string;
  }
  return undefined;
}

function iptablesRules(): string[] {
  return ['filter', 'nat'].flatMap((t) => sh('iptables', ['-w', '-t', t, '-S']).split('\n').filter(Boolean).map((l) => `${t}: ${l}`));
}

/** `ip netns list` names (Berth keeps its own under the run root, so none should appear here). */
function hostNetns(): string[] {
  return sh('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
}

/** Listening TCP and UDP sockets as `proto addr:port pid`. */
function listeners(): Array<{ port: number; line: string }> {
  return sh('ss', ['-Htulnp']).split('\n').filter(Boolean).map((line) => {
    const local = line.trim().split(/\s+/)[4] ?? '';
    return { port: Number(local.slice(local.lastIndexOf(':') + 1)), line };
  });
}

/** Processes whose parent is `pid` (a userland proxy per port would be one). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

test('30 containers on three networks, removed, then the networks: no bridge, veth, namespace, rule, listener or proxy left', async () => {
  const netnsBefore = new Set(hostNetns());
  const networkPid = berth.pids().network;
  assert.ok(networkPid, 'network-service runs');
  const proxiesBefore = new Set(childrenOf(networkPid));
  const listenersBefore = new Set(listeners().filter((l) => l.line.includes(`pid=${networkPid},`)).map((l) => l.line));

  const networkIds: string[] = [];
  for (const n of NETWORKS) {
    networkIds.push((await dockerOk(berth, ['network', 'create', '--subnet', n.subnet, n.name])).trim());
  }

  // Every third container publishes a port on 127.0.0.1, every fifth on all
  // addresses (both ephemeral); every fourth is connected to the next network too.
  const specs = Array.from({ length: COUNT }, (_, i) => ({
    name: `lo${tag}-c${i}`,
    network: NETWORKS[i % 3],
    second: i % 4 === 1 ? NETWORKS[(i + 1) % 3] : undefined,
    publish: [...(i % 3 === 0 ? ['-p', '127.0.0.1::80'] : []), ...(i % 5 === 0 ? ['-p', '8080'] : [])],
  }));
  await inBatches(specs, 6, async (s) => {
    await dockerOk(berth, ['run', '-d', '--name', s.name, '--network', s.network.name, ...s.publish, 'busybox', 'sleep', '600']);
    if (s.second) await dockerOk(berth, ['network', 'connect', s.second.name, s.name]);
  });

  // What the host holds now, to look for afterwards.
  const bridges = NETWORKS.map((n) => interfaceWithAddress(n.prefix));
  for (const [i, b] of bridges.entries()) assert.ok(b, `a host interface holds the gateway of ${NETWORKS[i].subnet}`);
  const now = links();
  const veths = [...now].filter(([, l]) => l.master !== undefined && bridges.includes(l.master)).map(([name]) => name);
  const endpoints = COUNT + specs.filter((s) => s.second).length;
  assert.equal(veths.length, endpoints, `one veth per endpoint on the networks' bridges: ${veths.join(' ')}`);
  const sandboxes: string[] = [];
  const containerIps: string[] = [];
  const hostPorts: number[] = [];
  const ids: string[] = [];
  for (const s of specs) {
    const c = JSON.parse(await dockerOk(berth, ['inspect', s.name]))[0];
    ids.push(c.Id);
    sandboxes.push(c.NetworkSettings.SandboxKey);
    for (const ep of Object.values(c.NetworkSettings.Networks) as Array<{ IPAddress: string }>) containerIps.push(ep.IPAddress);
    for (const bindings of Object.values(c.NetworkSettings.Ports ?? {}) as Array<Array<{ HostPort: string }> | null>) {
      for (const b of bindings ?? []) hostPorts.push(Number(b.HostPort));
    }
    assert.equal(Object.keys(c.NetworkSettings.Networks).length, s.second ? 2 : 1, s.name);
  }
  const published = specs.reduce((n, s) => n + (s.publish.length / 2), 0);
  // A port on all addresses may be bound for IPv4 and IPv6: count distinct ports.
  assert.ok(new Set(hostPorts).size >= published, `${published} host ports published: ${hostPorts.join(' ')}`);
  assert.equal(new Set(containerIps).size, containerIps.length, 'no address given twice');
  for (const k of sandboxes) assert.ok(fs.existsSync(k), `${k} exists while its container runs`);
  const rulesWhileRunning = iptablesRules();
  assert.ok(rulesWhileRunning.some((r) => bridges.some((b) => r.includes(b!))), 'the networks have iptables rules while in use');

  await inBatches(specs, 10, async (s) => { await dockerOk(berth, ['rm', '-f', s.name]); });
  for (const n of NETWORKS) await dockerOk(berth, ['network', 'rm', n.name]);
  assert.equal((await dockerOk(berth, ['ps', '-aq'])).trim(), '');
  assert.deepEqual((await dockerOk(berth, ['network', 'ls', '--format', '{{.Name}}'])).trim().split('\n').sort(), ['bridge', 'host', 'none']);

  // Interfaces: the bridges and every veth gone.
  const after = links();
  assert.deepEqual(bridges.filter((b) => after.has(b!)), [], 'bridges left');
  assert.deepEqual(veths.filter((v) => after.has(v)), [], 'veths left');
  for (const n of NETWORKS) assert.equal(interfaceWithAddress(n.prefix), undefined, `an address of ${n.subnet} is left on the host`);
  // Of what Berth marked as this instance's (the tag is the default bridge's name), only that bridge may remain.
  const instanceTag = berth.env.BERTH_BRIDGE_NAME;
  assert.deepEqual([...after].filter(([name, l]) => l.alias === `berth:${instanceTag}` && name !== instanceTag).map(([name]) => name), [], 'interfaces of the instance left');

  // Namespaces: none under the run root, none for a container in the host's list.
  for (const k of sandboxes) assert.ok(!fs.existsSync(k), `${k} left`);
  const netnsDir = path.join(berth.runRoot, 'netns');
  assert.deepEqual(fs.existsSync(netnsDir) ? fs.readdirSync(netnsDir) : [], [], `namespaces left in ${netnsDir}`);
  const netnsNew = hostNetns().filter((n) => !netnsBefore.has(n));
  assert.deepEqual(netnsNew.filter((n) => ids.some((id) => n.includes(id.slice(0, 12))) || n.includes(tag)), [], 'namespaces left in ip netns');

  // iptables: nothing naming the bridges, the subnets, the container addresses, the networks' IDs or the published ports.
  const rules = iptablesRules();
  const needles = [
    ...bridges.map((b) => b!),
    ...NETWORKS.map((n) => n.subnet),
    ...networkIds.map((id) => id.slice(0, 12)),
  ];
  const leftRules = rules.filter((r) => needles.some((x) => r.includes(x))
    || containerIps.some((ip) => new RegExp(`(^|[^\\d.])${ip.replace(/\./g, '\\.')}(/32)?([^\\d.]|$)`).test(r))
    || hostPorts.some((p) => new RegExp(`--dport ${p}\\b`).test(r) && /BERTH|berth/.test(r)));
  assert.deepEqual(leftRules, [], 'iptables rules left');
  const chains = rules.filter((r) => / -N /.test(` ${r.split(': ')[1]}`)).map((r) => r.split(' ').pop()!);
  assert.deepEqual(chains.filter((c) => /^BERTH/i.test(c) && (networkIds.some((id) => c.includes(id.slice(0, 12))) || bridges.some((b) => c.includes(b!)))), [], 'per-network chains left');

  // Listening sockets and proxies of network-service: as before the containers.
  const listening = listeners();
  assert.deepEqual(listening.filter((l) => hostPorts.includes(l.port) && (l.line.includes(`pid=${networkPid},`) || /docker-proxy|berth/.test(l.line))).map((l) => l.line), [], 'published ports still listened on');
  assert.deepEqual(listening.filter((l) => l.line.includes(`pid=${networkPid},`) && !listenersBefore.has(l.line)).map((l) => l.line), [], 'new listeners of network-service');
  const proxiesLeft = childrenOf(networkPid).filter((p) => !proxiesBefore.has(p));
  assert.deepEqual(proxiesLeft, [], 'processes network-service started and left');

  // And nothing new on the host outside Berth's roots.
  const changes = watch.changes();
  // `ip netns add` by anyone on the machine mounts under /run/netns: this
  // instance's would name its containers, which the namespace check above covers.
  assert.deepEqual(changes.newMounts.filter((m) => !/^\/(var\/)?run\/netns\//.test(m)), [], 'mounts left on the host');
  assert.deepEqual(changes.newEntries, [], 'files left on the host');
});

