// Integration: real namespaces, veths, a bridge and iptables rules of its
// own (random name and /24), all removed again in `after`. Needs root.
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
import { parseSubnet } from '../ipam/ipv4';
import { DefaultBridge } from '../wiring/bridge';
import { isMountPoint, mountsUnder } from '@berth/host';
import { NetnsDirectory } from '../wiring/netns';
import { NetworkManager } from './network-manager';
import { BridgeNetworks } from './bridge-networks';

const noDns = { listen: async () => undefined, unlisten: async () => undefined, close: async () => undefined };
import { NetworkStore } from './network-store';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
const isRoot = process.getuid?.() === 0;
// An integration test says what it needs rather than skipping (scripts/run-tests.mjs integration).
if (!isRoot) throw new Error(`${__filename}: needs root`);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-net-it-'));
const bridgeName = `btt${crypto.randomBytes(3).toString('hex')}`;
const subnetText = `10.201.${crypto.randomInt(0, 256)}.0/24`;
const subnet = parseSubnet(subnetText);
const gateway = subnetText.replace(/0\/24$/, '1');
const hostResolv = path.join(root, 'resolv.conf');
const dbFile = path.join(root, 'data', 'network.db');

const stores: NetworkStore[] = [];
const published: EventInput[] = [];
const recorder: EventSink = { publish: async (e) => published.push(e) };
function manager(): NetworkManager {
  const store = new NetworkStore(dbFile);
  stores.push(store);
  return new NetworkManager(store, new NetnsDirectory(path.join(root, 'run', 'netns')), new BridgeNetworks(new DefaultBridge(bridgeName, subnet), noDns, quiet), quiet, hostResolv, recorder);
}

function containerId(): string {
  return crypto.randomBytes(32).toString('hex');
}

function inNetns(netnsPath: string, ...args: string[]): string {
  return execFileSync('nsenter', [`--net=${netnsPath}`, ...args], { encoding: 'utf8' });
}

function ping(netnsPath: string, address: string): boolean {
  return spawnSync('nsenter', [`--net=${netnsPath}`, 'busybox', 'ping', '-c', '1', '-W', '2', address], { stdio: 'ignore' }).status === 0;
}

function isMounted(p: string): boolean {
  return isMountPoint(p);
}

function bridgePorts(): string[] {
  try {
    return fs.readdirSync(`/sys/class/net/${bridgeName}/brif`);
  } catch {
    return [];
  }
}

let networks: NetworkManager;

before(() => {
  fs.writeFileSync(hostResolv, 'search example.test\nnameserver 127.0.0.53\nnameserver 10.255.255.53\noptions edns0\n');
  if (isRoot) networks = manager();
});

after(async () => {
  if (isRoot) {
    await new DefaultBridge(bridgeName, subnet).remove();
    for (const s of stores) s.close();
    for (const m of mountsUnder(root).filter((p) => p !== root)) {
      spawnSync('umount', ['-l', m]);
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
});

test('none: a namespace with loopback only', async () => {
  const id = containerId();
  const a = await networks.attach({ containerId: id, networkMode: 'none' });
  assert.equal(a.netnsPath, path.join(root, 'run', 'netns', id));
  assert.equal(a.hostNetwork, false);
  assert.ok(isMounted(a.netnsPath));
  const addrs = inNetns(a.netnsPath, 'ip', '-o', 'addr');
  assert.match(addrs, /^1: lo\s+inet 127\.0\.0\.1\/8/m);
  assert.doesNotMatch(addrs, /eth0/);
  assert.match(inNetns(a.netnsPath, 'ip', 'link', 'show', 'lo'), /state UNKNOWN|LOWER_UP/);
  assert.deepEqual([a.ipAddress, a.gateway, a.ipPrefixLen, a.macAddress], ['', '', 0, '']);
  const nets = a.settings.Networks as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(nets), ['none']);
  assert.match(nets.none.NetworkID as string, /^[0-9a-f]{64}$/);
  assert.equal(a.settings.SandboxKey, a.netnsPath);
  assert.equal(a.resolvConf, 'search example.test\nnameserver 10.255.255.53\noptions edns0\n');

  published.length = 0;
  await networks.detach(id);
  assert.ok(!isMounted(a.netnsPath));
  assert.ok(!fs.existsSync(a.netnsPath));
  await networks.detach(id); // idempotent
  assert.equal(published.length, 1, 'one disconnect, none for the second Detach');
});

test("connect and disconnect events as dockerd's: the network's id, the container, name and driver", async () => {
  const id = containerId();
  published.length = 0;
  const a = await networks.attach({ containerId: id, networkMode: 'bridge' });
  await networks.detach(id);
  const networkId = (a.settings.Networks as Record<string, { NetworkID: string }>).bridge.NetworkID;
  assert.deepEqual(published, [
    { Type: 'network', Action: 'connect', Actor: { ID: networkId, Attributes: { container: id, name: 'bridge', type: 'bridge' } }, scope: 'local' },
    { Type: 'network', Action: 'disconnect', Actor: { ID: networkId, Attributes: { container: id, name: 'bridge', type: 'bridge' } }, scope: 'local' },
  ]);
  const none = containerId();
  await networks.attach({ containerId: none, networkMode: 'none' });
  await networks.detach(none);
  assert.deepEqual(published.slice(2).map((e) => [e.Action, e.Actor.Attributes.type, e.Actor.Attributes.name]), [['connect', 'null', 'none'], ['disconnect', 'null', 'none']]);
});

test('host: no namespace, the host resolv.conf as it is', async () => {
  const id = containerId();
  const a = await networks.attach({ containerId: id, networkMode: 'host' });
  assert.equal(a.netnsPath, '');
  assert.equal(a.hostNetwork, true);
  assert.equal(a.resolvConf, fs.readFileSync(hostResolv, 'utf8'));
  const nets = a.settings.Networks as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(nets), ['host']);
  assert.equal(a.settings.IPAddress, '');
  // SandboxKey names the host's own namespace, as dockerd's netns/default does.
  const key = a.settings.SandboxKey as string;
  assert.equal(fs.statSync(key).ino, fs.statSync('/proc/self/ns/net').ino);
  await networks.detach(id);
  assert.ok(isMounted(key), 'the shared host namespace file stays for other host containers');
});

test('bridge: address, route, gateway reachable, NAT rule; Detach removes all of it', async () => {
  const id = containerId();
  const a = await networks.attach({ containerId: id, networkMode: 'bridge', hostname: 'x' });
  assert.equal(a.gateway, gateway);
  assert.equal(a.ipPrefixLen, 24);
  assert.match(a.macAddress, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assert.equal(parseInt(a.macAddress.slice(0, 2), 16) & 3, 2, 'locally administered unicast');
  const eth0 = inNetns(a.netnsPath, 'ip', '-o', '-4', 'addr', 'show', 'eth0');
  assert.match(eth0, new RegExp(`inet ${a.ipAddress.replace(/\./g, '\\.')}/24 brd ${gateway.replace(/1$/, '255').replace(/\./g, '\\.')}`));
  assert.match(inNetns(a.netnsPath, 'ip', 'link', 'show', 'eth0'), new RegExp(`link/ether ${a.macAddress}`));
  assert.doesNotMatch(inNetns(a.netnsPath, 'ip', 'addr', 'show', 'eth0'), /inet6/, 'no IPv6 on an IPv4-only network, as dockerd');
  assert.match(inNetns(a.netnsPath, 'ip', 'route'), new RegExp(`^default via ${gateway.replace(/\./g, '\\.')} dev eth0`, 'm'));
  assert.match(inNetns(a.netnsPath, 'ip', '-o', 'addr', 'show', 'lo'), /inet 127\.0\.0\.1/);
  assert.equal(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '1');
  assert.ok(ping(a.netnsPath, gateway), 'gateway answers');
  // The host's own address beyond the bridge, and (when the host reaches it) its upstream router through the NAT.
  const hostAddr = /src (\d+\.\d+\.\d+\.\d+)/.exec(execFileSync('ip', ['route', 'get', '1.1.1.1'], { encoding: 'utf8' }));
  if (hostAddr) assert.ok(ping(a.netnsPath, hostAddr[1]), `host address ${hostAddr[1]} answers`);
  const upstream = /via (\d+\.\d+\.\d+\.\d+)/.exec(execFileSync('ip', ['route', 'get', '1.1.1.1'], { encoding: 'utf8' }));
  if (upstream && spawnSync('busybox', ['ping', '-c', '1', '-W', '2', upstream[1]], { stdio: 'ignore' }).status === 0) {
    assert.ok(ping(a.netnsPath, upstream[1]), `upstream ${upstream[1]} answers through the NAT`);
  }
  assert.match(execFileSync('iptables', ['-w', '-t', 'nat', '-S', `BERTH-POST-${bridgeName}`], { encoding: 'utf8' }), new RegExp(`-s ${subnetText.replace(/\./g, '\\.')} ! -o ${bridgeName} .*berth:${bridgeName}"? -j MASQUERADE`));

  const s = a.settings;
  assert.equal(s.IPAddress, a.ipAddress);
  assert.equal(s.Gateway, gateway);
  assert.equal(s.SandboxKey, a.netnsPath);
  const ep = (s.Networks as Record<string, Record<string, unknown>>).bridge;
  assert.equal(ep.IPAddress, a.ipAddress);
  assert.equal(ep.MacAddress, a.macAddress);
  assert.equal(ep.EndpointID, s.EndpointID);

  const veths = bridgePorts();
  assert.equal(veths.length, 1);
  await networks.detach(id);
  assert.ok(!fs.existsSync(`/sys/class/net/${veths[0]}`), 'veth deleted');
  assert.ok(!fs.existsSync(a.netnsPath), 'namespace file deleted');
  assert.deepEqual(bridgePorts(), []);
  // The address went back to the pool: the next container gets it.
  const next = containerId();
  const b = await networks.attach({ containerId: next, networkMode: 'default' });
  assert.equal(b.ipAddress, a.ipAddress);
  await networks.detach(next);
});

test('attaching again replaces what the earlier Attach left', async () => {
  const id = containerId();
  const first = await networks.attach({ containerId: id, networkMode: 'bridge' });
  const second = await networks.attach({ containerId: id, networkMode: 'bridge' });
  assert.equal(bridgePorts().length, 1);
  assert.equal(second.ipAddress, first.ipAddress);
  assert.notEqual(second.settings.EndpointID, first.settings.EndpointID);
  await networks.detach(id);
  assert.deepEqual(bridgePorts(), []);
});

test('Detach works after a restart of the service', async () => {
  const id = containerId();
  const a = await networks.attach({ containerId: id, networkMode: 'bridge' });
  const restarted = manager();
  await restarted.start();
  await restarted.detach(id);
  assert.ok(!fs.existsSync(a.netnsPath));
  assert.deepEqual(bridgePorts(), []);
});

test('50 concurrent Attach calls get 50 distinct addresses, all wired', async () => {
  const ids = Array.from({ length: 50 }, containerId);
  const results = await Promise.all(ids.map((containerId) => networks.attach({ containerId, networkMode: 'bridge' })));
  assert.equal(new Set(results.map((r) => r.ipAddress)).size, 50);
  assert.equal(new Set(results.map((r) => r.macAddress)).size, 50);
  assert.equal(bridgePorts().length, 50);
  for (const r of results.slice(0, 5)) assert.match(inNetns(r.netnsPath, 'ip', '-o', '-4', 'addr', 'show', 'eth0'), new RegExp(`inet ${r.ipAddress}/24`));
  await Promise.all(ids.map((id) => networks.detach(id)));
  assert.deepEqual(bridgePorts(), []);
  assert.deepEqual(fs.readdirSync(path.join(root, 'run', 'netns')).filter((n) => n !== 'default'), []);
});

test("unknown networks and container: mode are refused in dockerd's words", async () => {
  await assert.rejects(networks.attach({ containerId: containerId(), networkMode: 'nosuch' }), (err: { code: number; message: string }) => err.code === status.NOT_FOUND && err.message === 'network nosuch not found');
  await assert.rejects(networks.attach({ containerId: containerId(), networkMode: 'container:abc' }), (err: { code: number }) => err.code === status.INVALID_ARGUMENT);
  await assert.rejects(networks.attach({ containerId: '../x', networkMode: 'none' }), (err: { code: number }) => err.code === status.INVALID_ARGUMENT);
});

test('removing the bridge removes its iptables rules', async () => {
  const id = containerId();
  await networks.attach({ containerId: id, networkMode: 'bridge' });
  await networks.detach(id);
  await new DefaultBridge(bridgeName, subnet).remove();
  assert.ok(!fs.existsSync(`/sys/class/net/${bridgeName}`));
  for (const table of ['nat', 'filter']) {
    assert.doesNotMatch(execFileSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8' }), new RegExp(`berth:${bridgeName}\\b`));
  }
});
