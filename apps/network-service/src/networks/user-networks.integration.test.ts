// Integration: user networks with real bridges, namespaces, veths and
// iptables chains of their own (random tag, subnets from 10.61.0.0/16), all
// removed again and checked gone. Needs root.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { Logger } from '@berth/logging';
import type { EventInput, EventSink } from '@berth/events';
import { mountsUnder } from '@berth/host';
import { parseSubnet } from '../ipam/ipv4';
import { parseAddressPools } from '../ipam/subnet-pools';
import type { PortPublisher, PublishRequest } from '../ports/port-publisher';
import { DefaultBridge } from '../wiring/bridge';
import { NetnsDirectory } from '../wiring/netns';
import { BridgeNetworks } from './bridge-networks';
import { NetworkCatalog } from './network-catalog';
import { NetworkManager } from './network-manager';
import { NetworkStore } from './network-store';
import { StoreNameSource } from './store-name-source';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
if (process.getuid?.() !== 0) throw new Error(`${__filename}: needs root`);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-usernet-it-'));
const tag = `btu${crypto.randomBytes(3).toString('hex')}`;
const block = crypto.randomInt(1, 16) * 16;
const defaultSubnet = parseSubnet(`10.61.${block}.0/24`);
const pools = parseAddressPools(`base=10.61.${block}.0/20,size=24`);
const hostResolv = path.join(root, 'resolv.conf');
const events: EventInput[] = [];
const sink: EventSink = { publish: async (e) => { events.push(e); } };
const listening = new Set<string>();
const dns = { listen: async (a: string) => { listening.add(a); }, unlisten: async (a: string) => { listening.delete(a); }, close: async () => undefined };
const publishes: PublishRequest[] = [];
const unpublished: string[] = [];
let failPublish = false;
const ports: PortPublisher = {
  publish: async (r) => {
    if (failPublish) throw Object.assign(new Error('Bind for 0.0.0.0:18080 failed: port is already allocated'), { statusCode: 409 });
    publishes.push(r); return { '80/tcp': [{ HostIp: r.bindings[0]?.hostIp || '0.0.0.0', HostPort: '18080' }] }; },
  unpublish: async (id) => { unpublished.push(id); },
  reconcile: async () => undefined,
  close: async () => undefined,
};

let store: NetworkStore;
let bridges: BridgeNetworks;
let catalog: NetworkCatalog;
let manager: NetworkManager;
let names: StoreNameSource;

function make(): void {
  store = new NetworkStore(path.join(root, 'data', 'network.db'));
  bridges = new BridgeNetworks(new DefaultBridge(tag, defaultSubnet), dns, quiet);
  catalog = new NetworkCatalog(store, bridges, pools, sink, quiet);
  manager = new NetworkManager(store, new NetnsDirectory(path.join(root, 'run', 'netns')), bridges, quiet, hostResolv, sink, ports);
  names = new StoreNameSource(store, hostResolv);
}

function id(): string {
  return crypto.randomBytes(32).toString('hex');
}

function inNetns(netnsPath: string, ...args: string[]): string {
  return execFileSync('nsenter', [`--net=${netnsPath}`, ...args], { encoding: 'utf8' });
}

function ping(netnsPath: string, address: string, wait = '3'): boolean {
  return spawnSync('nsenter', [`--net=${netnsPath}`, 'busybox', 'ping', '-c', '1', '-W', wait, address], { stdio: 'ignore' }).status === 0;
}

function createReq(name: string, extra: Partial<Parameters<NetworkCatalog['create']>[0]> = {}): Parameters<NetworkCatalog['create']>[0] {
  return { name, driver: '', internal: false, attachable: false, ingress: false, enableIpv6: false, ipamDriver: '', ipamConfig: [], ipamOptions: {}, options: {}, labels: {}, configOnly: false, configFrom: '', scope: '', ...extra };
}

/** Everything of this instance on the host: interfaces with its alias, rules with its comment, its chains. */
function leftovers(): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync('/sys/class/net')) {
    try {
      if (fs.readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim() === `berth:${tag}`) out.push(`interface ${name}`);
    } catch { /* none */ }
  }
  for (const table of ['filter', 'nat']) {
    for (const line of execFileSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8' }).split('\n')) {
      if (line.includes(`berth:${tag}`) || line.includes(`-${tag}`)) out.push(`${table}: ${line}`);
    }
  }
  return out;
}

before(() => {
  fs.writeFileSync(hostResolv, 'search example.test\nnameserver 10.255.255.53\noptions edns0\n');
  make();
});

after(async () => {
  await bridges.defaultBridge.remove().catch(() => undefined);
  for (const n of store.networks()) if (n.bridge) spawnSync('ip', ['link', 'del', n.bridge], { stdio: 'ignore' });
  store.close();
  for (const m of mountsUnder(root).filter((p) => p !== root)) spawnSync('umount', ['-l', m]);
  fs.rmSync(root, { recursive: true, force: true });
});

test('create, attach two containers that reach each other, isolation from another network, live connect/disconnect, remove: nothing left', async () => {
  const net1 = await catalog.create(createReq('net1', { labels: { tier: 'a' } }));
  const net2 = await catalog.create(createReq('net2', { internal: false, options: { 'com.docker.network.driver.mtu': '1400' } }));
  assert.match(net1.id, /^[0-9a-f]{64}$/);
  const i1 = catalog.inspect('net1');
  const i2 = catalog.inspect(net2.id.slice(0, 10));
  assert.equal(i1.ipam[0].subnet, `10.61.${block + 1}.0/24`, 'the first pool subnet the default bridge does not use');
  assert.equal(i1.ipam[0].gateway, `10.61.${block + 1}.1`);
  assert.equal(i2.ipam[0].subnet, `10.61.${block + 2}.0/24`);
  assert.ok(fs.existsSync(`/sys/class/net/br-${net1.id.slice(0, 12)}`));
  assert.equal(fs.readFileSync(`/sys/class/net/br-${net2.id.slice(0, 12)}/mtu`, 'utf8').trim(), '1400');
  assert.ok(listening.has(i1.ipam[0].gateway), 'the embedded DNS listens on the gateway');
  assert.deepEqual(events.filter((e) => e.Action === 'create').map((e) => e.Actor.Attributes.name), ['net1', 'net2']);

  await assert.rejects(catalog.create(createReq('net1')), (e: { code: number; message: string }) => e.code === status.FAILED_PRECONDITION && e.message === 'network with name net1 already exists');
  await assert.rejects(catalog.create(createReq('x', { ipamConfig: [{ subnet: i1.ipam[0].subnet, ipRange: '', gateway: '', auxiliaryAddresses: {} }] })),
    (e: { code: number; message: string }) => e.code === status.PERMISSION_DENIED && e.message === 'invalid pool request: Pool overlaps with other one on this address space');

  const a = id();
  const b = id();
  const c = id();
  const ra = await manager.attach({ containerId: a, networkMode: 'net1', containerName: 'a', hostname: a.slice(0, 12), endpoints: [{ network: 'net1', aliases: ['alias-a'] }], portBindings: [{ containerPort: '80/tcp', hostIp: '', hostPort: '18080' }] });
  const rb = await manager.attach({ containerId: b, networkMode: 'net1', containerName: 'b' });
  const rc = await manager.attach({ containerId: c, networkMode: 'net2', containerName: 'c', dns: ['10.61.255.53'] });
  assert.equal(ra.ipAddress, `10.61.${block + 1}.2`);
  assert.equal(rb.ipAddress, `10.61.${block + 1}.3`);
  assert.equal(ra.embeddedDns, true);
  assert.equal(ra.resolvConf, `nameserver ${i1.ipam[0].gateway}\nsearch example.test\noptions edns0 ndots:0\n`);
  assert.equal(publishes[0].containerIp, ra.ipAddress);
  assert.equal(publishes[0].bridge, `br-${net1.id.slice(0, 12)}`);
  assert.deepEqual(ra.settings.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '18080' }] });
  const nets = ra.settings.Networks as Record<string, { DNSNames: string[]; Aliases: string[] }>;
  assert.deepEqual(nets.net1.DNSNames, ['a', 'alias-a', a.slice(0, 12)]);
  assert.equal(ra.settings.IPAddress, '', 'no top-level address off the default bridge');
  assert.equal(inNetns(rc.netnsPath, 'cat', '/sys/class/net/eth0/mtu').trim(), '1400');

  assert.ok(ping(ra.netnsPath, rb.ipAddress), 'a reaches b on net1');
  assert.ok(ping(rc.netnsPath, rc.gateway), 'c reaches its gateway');
  assert.ok(!ping(rc.netnsPath, ra.ipAddress, '1'), 'c on net2 cannot reach a on net1');
  assert.ok(!ping(ra.netnsPath, rc.ipAddress, '1'), 'a on net1 cannot reach c on net2');

  // Names as the embedded DNS sees them.
  assert.deepEqual(names.lookup(ra.ipAddress, 'b'), [rb.ipAddress]);
  assert.deepEqual(names.lookup(rb.ipAddress, 'alias-a'), [ra.ipAddress]);
  assert.deepEqual(names.lookup(rb.ipAddress, 'A.net1'), [ra.ipAddress]);
  assert.deepEqual(names.lookup(rb.ipAddress, a.slice(0, 12)), [ra.ipAddress]);
  assert.deepEqual(names.lookup(rc.ipAddress, 'a'), [], 'c shares no network with a');
  assert.equal(names.lookup('10.61.255.254', 'a'), undefined);
  assert.equal(names.reverse(rb.ipAddress, ra.ipAddress), 'a.net1');
  assert.deepEqual(names.upstreams(rc.ipAddress), ['10.61.255.53']);
  assert.deepEqual(names.upstreams(ra.ipAddress), ['10.255.255.53']);

  // Live connect of a to net2: eth1 appears, c is reachable, c resolves a; disconnect takes it away.
  const after1 = await manager.connect({ containerId: a, endpoint: { network: 'net2', aliases: ['a2'], gwPriority: 10 } });
  assert.match(inNetns(ra.netnsPath, 'ip', 'route'), new RegExp(`^default via ${i2.ipam[0].gateway.replace(/\./g, '\\.')} dev eth1`, 'm'), 'a higher GwPriority takes the default route');
  assert.deepEqual(Object.keys(after1.Networks as object), ['net1', 'net2']);
  assert.match(inNetns(ra.netnsPath, 'ip', '-o', '-4', 'addr', 'show', 'eth1'), new RegExp(`10\\.61\\.${block + 2}\\.`));
  assert.ok(ping(ra.netnsPath, rc.ipAddress), 'a reaches c once on net2');
  assert.equal(names.lookup(rc.ipAddress, 'a2')?.length, 1);
  await assert.rejects(manager.connect({ containerId: a, endpoint: { network: 'net2' } }), (e: { code: number }) => e.code === status.PERMISSION_DENIED);
  const after2 = await manager.disconnect(a, 'net2');
  assert.deepEqual(Object.keys(after2.Networks as object), ['net1']);
  assert.match(inNetns(ra.netnsPath, 'ip', 'route'), new RegExp(`^default via ${i1.ipam[0].gateway.replace(/\./g, '\\.')} dev eth0`, 'm'), 'the default route comes back to net1');
  assert.notEqual(spawnSync('nsenter', [`--net=${ra.netnsPath}`, 'ip', 'link', 'show', 'eth1'], { stdio: 'ignore' }).status, 0, 'eth1 gone');
  assert.deepEqual(events.filter((e) => e.Action === 'connect' || e.Action === 'disconnect').map((e) => `${e.Action}:${e.Actor.Attributes.name}`).slice(-2), ['connect:net2', 'disconnect:net2']);

  // Removal refused while in use.
  await assert.rejects(catalog.remove('net1'), (e: { code: number; message: string }) => e.code === status.PERMISSION_DENIED && /^error while removing network: network net1 has active endpoints \(name:"a" id:"[0-9a-f]{12}", name:"b" id:"[0-9a-f]{12}"\)$/.test(e.message));
  assert.deepEqual(catalog.inspect('net1').containers.map((x) => x.name), ['a', 'b']);
  await assert.rejects(catalog.remove('bridge'), (e: { code: number; message: string }) => e.code === status.PERMISSION_DENIED && e.message === 'bridge is a pre-defined network and cannot be removed');

  for (const x of [a, b, c]) await manager.detach(x);
  assert.ok(unpublished.includes(a));
  await catalog.remove('net1');
  assert.deepEqual(await catalog.prune([]), ['net2']);
  assert.equal(listening.size, 0, 'the embedded DNS stopped on removed networks');
  assert.deepEqual(events.filter((e) => e.Action === 'destroy').map((e) => e.Actor.Attributes.name), ['net1', 'net2']);
  await bridges.defaultBridge.remove();
  assert.deepEqual(leftovers(), []);
});

test('internal networks give no default route; --ip, aux addresses and explicit subnets as asked', async () => {
  const sub = `10.61.${block + 9}.0/24`;
  await catalog.create(createReq('inner', { internal: true, ipamConfig: [{ subnet: sub, ipRange: `10.61.${block + 9}.128/25`, gateway: `10.61.${block + 9}.254`, auxiliaryAddresses: { r: `10.61.${block + 9}.128` } }] }));
  const x = id();
  const y = id();
  const rx = await manager.attach({ containerId: x, networkMode: 'inner', containerName: 'x' });
  assert.equal(rx.ipAddress, `10.61.${block + 9}.129`);
  assert.equal(rx.gateway, `10.61.${block + 9}.254`);
  assert.doesNotMatch(inNetns(rx.netnsPath, 'ip', 'route'), /default/);
  const ry = await manager.attach({ containerId: y, networkMode: 'inner', containerName: 'y', endpoints: [{ network: 'inner', ipv4Address: `10.61.${block + 9}.7` }] });
  assert.equal(ry.ipAddress, `10.61.${block + 9}.7`);
  assert.deepEqual((ry.settings.Networks as Record<string, { IPAMConfig: unknown }>).inner.IPAMConfig, { IPv4Address: `10.61.${block + 9}.7` });
  assert.ok(ping(rx.netnsPath, ry.ipAddress));
  const z = id();
  await assert.rejects(manager.attach({ containerId: z, networkMode: 'inner', endpoints: [{ network: 'inner', ipv4Address: `10.61.${block + 9}.7` }] }),
    (e: { code: number; message: string }) => e.message === 'Address already in use');
  await assert.rejects(manager.attach({ containerId: z, networkMode: 'inner', endpoints: [{ network: 'inner', ipv4Address: '10.99.0.7' }] }),
    (e: { code: number; message: string }) => /no configured subnet or ip-range contain the IP address 10\.99\.0\.7/.test(e.message));
  await assert.rejects(manager.attach({ containerId: z, networkMode: 'bridge', endpoints: [{ network: 'bridge', ipv4Address: '10.99.0.7' }] }),
    (e: { code: number; message: string }) => e.message === 'user specified IP address is supported on user defined networks only');
  await catalog.create(createReq('autonet'));
  await assert.rejects(manager.attach({ containerId: z, networkMode: 'autonet', endpoints: [{ network: 'autonet', ipv4Address: '10.99.0.7' }] }),
    (e: { code: number; message: string }) => e.message === 'user specified IP address is supported only when connecting to networks with user configured subnets');
  await catalog.remove('autonet');
  assert.equal(store.sandbox(z), undefined, 'a refused attach leaves nothing');
  failPublish = true;
  const brif = () => fs.readdirSync(`/sys/class/net/${catalog.inspect('inner').bridge}/brif`).length;
  const before = brif();
  await assert.rejects(manager.attach({ containerId: z, networkMode: 'inner', portBindings: [{ containerPort: '80/tcp', hostIp: '', hostPort: '18080' }] }), /port is already allocated/);
  failPublish = false;
  assert.equal(store.sandbox(z), undefined, 'a failed publish leaves no sandbox');
  assert.equal(store.endpointsOf(z).length, 0, 'nor an endpoint (the address is free again)');
  assert.equal(brif(), before, 'nor a veth');
  assert.ok(!fs.existsSync(path.join(root, 'run', 'netns', z)));
  await manager.detach(x);
  await manager.detach(y);
  await catalog.remove('inner');
});

test('10 parallel attaches on a user network get 10 distinct addresses; a restart reconciles what a crash left', async () => {
  await catalog.create(createReq('par'));
  const ids = Array.from({ length: 10 }, id);
  const rs = await Promise.all(ids.map((containerId, i) => manager.attach({ containerId, networkMode: 'par', containerName: `p${i}` })));
  assert.equal(new Set(rs.map((r) => r.ipAddress)).size, 10);
  // A crash: one namespace vanishes and a stray tagged veth appears; a new manager settles both.
  const bridge = catalog.inspect('par').bridge;
  const gone = ids[0];
  spawnSync('umount', [rs[0].netnsPath]);
  spawnSync('ip', ['link', 'add', `vs${tag}`, 'type', 'veth', 'peer', 'name', `vp${tag}`]);
  spawnSync('ip', ['link', 'set', 'dev', `vs${tag}`, 'alias', `berth:${tag}`]);
  spawnSync('ip', ['link', 'del', bridge]);
  spawnSync('iptables', ['-w', '-A', `BERTH-FWD-${tag}`, '-i', `brgone${tag}`, '-m', 'comment', '--comment', `berth:${tag}`, '-j', 'ACCEPT']);
  make();
  await manager.start();
  assert.equal(store.sandbox(gone), undefined);
  assert.equal(store.endpointsOf(gone).length, 0);
  assert.ok(!fs.existsSync(`/sys/class/net/vs${tag}`), 'the stray interface is swept');
  assert.ok(fs.existsSync(`/sys/class/net/${bridge}`), 'the bridge is made again');
  assert.doesNotMatch(execFileSync('iptables', ['-w', '-S', `BERTH-FWD-${tag}`], { encoding: 'utf8' }), /brgone/, 'rules of a bridge no network owns are pruned');
  assert.match(execFileSync('iptables', ['-w', '-S', `BERTH-FWD-${tag}`], { encoding: 'utf8' }), new RegExp(`-i ${bridge} ! -o ${bridge}`));
  await Promise.all(ids.map((x) => manager.detach(x)));
  assert.deepEqual(fs.readdirSync(`/sys/class/net/${bridge}/brif`), []);
  await catalog.remove('par');
  await bridges.defaultBridge.remove();
  assert.deepEqual(leftovers(), []);
});

test('30 containers on three networks, then the networks removed: nothing of the instance is left on the host', async () => {
  const networks = ['t1', 't2', 't3'];
  for (const n of networks) await catalog.create(createReq(n, { options: n === 't3' ? { 'com.docker.network.bridge.enable_icc': 'false' } : {} }));
  const ids = Array.from({ length: 30 }, id);
  const rs = await Promise.all(ids.map((containerId, i) => manager.attach({ containerId, networkMode: networks[i % 3], containerName: `c${i}` })));
  for (const n of networks) assert.equal(catalog.inspect(n).containers.length, 10);
  assert.ok(ping(rs[0].netnsPath, rs[3].ipAddress), 'same network (t1)');
  assert.ok(!ping(rs[2].netnsPath, rs[5].ipAddress, '1'), 'ICC off on t3');
  assert.ok(ping(rs[2].netnsPath, rs[2].gateway), 'but the gateway answers on t3');
  await Promise.all(ids.map((x) => manager.detach(x)));
  for (const n of networks) await catalog.remove(n);
  await bridges.defaultBridge.remove();
  assert.deepEqual(leftovers(), []);
  assert.deepEqual(fs.readdirSync(path.join(root, 'run', 'netns')).filter((n) => n !== 'default'), []);
});

test('an address handed out again behind a new MAC is reachable at once: peers learn it from an unsolicited ARP', async () => {
  await catalog.create(createReq('garp'));
  const [a, b, c] = [id(), id(), id()];
  const ra = await manager.attach({ containerId: a, networkMode: 'garp', containerName: 'ga' });
  const rb = await manager.attach({ containerId: b, networkMode: 'garp', containerName: 'gb' });
  assert.ok(ping(ra.netnsPath, rb.ipAddress), 'a learns b\'s MAC');
  await manager.detach(b);
  const rc = await manager.attach({ containerId: c, networkMode: 'garp', containerName: 'gc' });
  assert.equal(rc.ipAddress, rb.ipAddress, 'the address comes back');
  assert.notEqual(rc.macAddress, rb.macAddress);
  const t = Date.now();
  let reached = false;
  while (!reached && Date.now() - t < 1500) reached = ping(ra.netnsPath, rc.ipAddress, '1');
  assert.ok(reached, 'a reaches the new holder of the address within a second and a half');
  assert.match(inNetns(ra.netnsPath, 'ip', 'neigh', 'show', rc.ipAddress), new RegExp(rc.macAddress));
  await manager.detach(a);
  await manager.detach(c);
  await catalog.remove('garp');
});
