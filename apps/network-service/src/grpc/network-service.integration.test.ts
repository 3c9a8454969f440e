// The service as a process: gRPC Attach/Detach through the generated
// client, and a Detach after the service was killed and started again.
// Needs root; uses its own bridge and /24, removed in `after`.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import { network } from '@berth/proto';
import { createClient, waitForReady } from '@berth/rpc';
import { parseSubnet } from '../ipam/ipv4';
import { DefaultBridge } from '../wiring/bridge';
import { mountsUnder } from '@berth/host';

const isRoot = process.getuid?.() === 0;
// An integration test says what it needs rather than skipping (scripts/run-tests.mjs integration).
if (!isRoot) throw new Error(`${__filename}: needs root`);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-net-svc-'));
const bridgeName = `bts${crypto.randomBytes(3).toString('hex')}`;
const subnet = `10.201.${crypto.randomInt(0, 256)}.0/24`;
const address = `unix:${path.join(root, 'network.sock')}`;
const env = {
  ...process.env,
  BERTH_DATA_ROOT: path.join(root, 'data'),
  BERTH_RUN_ROOT: path.join(root, 'run'),
  BERTH_NETWORK_ADDR: address,
  BERTH_BRIDGE_NAME: bridgeName,
  BERTH_BRIDGE_SUBNET: subnet,
  BERTH_DEFAULT_ADDRESS_POOLS: `base=10.61.${crypto.randomInt(128, 255)}.0/24,size=26`,
  BERTH_LOG_LEVEL: 'warn',
};
const main = path.join(__dirname, '..', 'main.js');
let child: ChildProcess | undefined;

function startService(): ChildProcess {
  fs.rmSync(path.join(root, 'network.sock'), { force: true });
  child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function kill(sig: NodeJS.Signals): Promise<void> {
  const c = child!;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill(sig);
  await exited;
}

after(async () => {
  if (child) await kill('SIGKILL');
  if (isRoot) {
    await new DefaultBridge(bridgeName, parseSubnet(subnet)).remove();
    for (const m of mountsUnder(root).filter((p) => p !== root)) spawnSync('umount', ['-l', m]);
  }
  fs.rmSync(root, { recursive: true, force: true });
});

/** The fields of a plain start on a predefined network. */
const noEndpoints = { containerName: '', endpoints: [], portBindings: [], publishAllPorts: false, exposedPorts: [], dns: [], dnsSearch: [], dnsOptions: [] };

test('Attach and Detach over gRPC, also after the service restarted', async () => {
  startService();
  const { raw, call } = createClient(network.NetworkServiceClient, address);
  await waitForReady(raw, 15_000);

  const id = crypto.randomBytes(32).toString('hex');
  const a = await call.attach({ containerId: id, networkMode: 'bridge', hostname: 'h', domainname: '', extraHosts: [], ...noEndpoints });
  assert.equal(a.netnsPath, path.join(root, 'run', 'netns', id));
  assert.equal(a.gateway, subnet.replace(/0\/24$/, '1'));
  assert.equal(a.ipAddress, subnet.replace(/0\/24$/, '2'));
  assert.equal(a.ipPrefixLen, 24);
  assert.equal(a.hostNetwork, false);
  const settings = JSON.parse(a.settingsJson) as { IPAddress: string; Networks: Record<string, { NetworkID: string; IPAddress: string }> };
  assert.equal(settings.Networks.bridge.IPAddress, a.ipAddress);
  const bridgeId = settings.Networks.bridge.NetworkID;
  const host = await call.attach({ containerId: `${id.slice(0, 60)}host`, networkMode: 'host', hostname: '', domainname: '', extraHosts: [], ...noEndpoints });
  assert.equal(host.hostNetwork, true);
  assert.equal(host.netnsPath, '');

  await assert.rejects(call.attach({ containerId: 'c1', networkMode: 'nosuch', hostname: '', domainname: '', extraHosts: [], ...noEndpoints }),
    (err: { code: number; details: string }) => err.code === status.NOT_FOUND && err.details === 'network nosuch not found');
  await assert.rejects(call.attach({ containerId: 'c1', networkMode: 'container:abc', hostname: '', domainname: '', extraHosts: [], ...noEndpoints }),
    (err: { code: number }) => err.code === status.INVALID_ARGUMENT);

  // A crash, then a new process: what the first one made is still undone by Detach.
  await kill('SIGKILL');
  startService();
  await waitForReady(raw, 15_000);
  const again = await call.attach({ containerId: crypto.randomBytes(32).toString('hex'), networkMode: 'bridge', hostname: '', domainname: '', extraHosts: [], ...noEndpoints });
  assert.notEqual(again.ipAddress, a.ipAddress, 'the first address is still taken');
  assert.equal((JSON.parse(again.settingsJson) as typeof settings).Networks.bridge.NetworkID, bridgeId, 'network ids are kept');
  await call.detach({ containerId: id });
  await call.detach({ containerId: id });
  assert.ok(!fs.existsSync(a.netnsPath));
  assert.equal(fs.readdirSync(`/sys/class/net/${bridgeName}/brif`).length, 1);
  raw.close();
  await kill('SIGTERM');
  assert.equal(child!.exitCode, 0);
});

test('the network API over gRPC: create, list, inspect, attach with endpoints, connect, disconnect, remove, prune', async () => {
  startService();
  const { raw, call } = createClient(network.NetworkServiceClient, address);
  await waitForReady(raw, 15_000);
  const create = (name: string, labels: Record<string, string> = {}) => call.createNetwork({
    name, driver: 'bridge', internal: false, attachable: false, ingress: false, enableIpv6: false, ipamDriver: '', ipamConfig: [], ipamOptions: {},
    options: {}, labels, configOnly: false, configFrom: '', scope: '',
  });
  const n1 = await create('g1', { app: 'x' });
  await create('g2');
  const pool = env.BERTH_DEFAULT_ADDRESS_POOLS.replace(/^base=(\d+\.\d+\.\d+)\.0.*/, '$1');
  await assert.rejects(call.createNetwork({ name: 'p', driver: 'foo', internal: false, attachable: false, ingress: false, enableIpv6: false, ipamDriver: '', ipamConfig: [], ipamOptions: {}, options: {}, labels: {}, configOnly: false, configFrom: '', scope: '' }),
    (err: { code: number; details: string }) => err.code === status.NOT_FOUND && err.details === 'plugin "foo" not found');
  const listed = await call.listNetworks({ filters: [{ key: 'label', values: ['app=x'] }] });
  assert.deepEqual(listed.networks.map((n) => n.name), ['g1']);
  const all = await call.listNetworks({ filters: [] });
  assert.deepEqual(all.networks.map((n) => n.name).sort(), ['bridge', 'g1', 'g2', 'host', 'none']);
  const inspected = await call.inspectNetwork({ id: n1.id.slice(0, 8), verbose: false, scope: '' });
  assert.equal(inspected.name, 'g1');
  assert.deepEqual(inspected.ipamConfig.map((c) => c.subnet), [`${pool}.0/26`]);
  assert.equal((await call.inspectNetwork({ id: 'bridge', verbose: false, scope: '' })).options['com.docker.network.bridge.name'], bridgeName);

  const id = crypto.randomBytes(32).toString('hex');
  const a = await call.attach({ ...noEndpoints, containerId: id, networkMode: 'g1', hostname: 'h', domainname: '', extraHosts: [], containerName: 'web',
    endpoints: [{ network: 'g1', aliases: ['www'], ipv4Address: '', ipv6Address: '', macAddress: '', links: [], driverOpts: {}, gwPriority: 0, linkLocalIps: [] }] });
  assert.equal(a.ipAddress, `${pool}.2`);
  assert.equal(a.embeddedDns, true);
  assert.equal(a.resolvConf.split('\n')[0], `nameserver ${pool}.1`);
  const c = await call.connect({ containerId: id, containerName: 'web', hostname: 'h',
    endpoint: { network: 'g2', aliases: [], ipv4Address: '', ipv6Address: '', macAddress: '', links: [], driverOpts: {}, gwPriority: 0, linkLocalIps: [] } });
  assert.deepEqual(Object.keys(JSON.parse(c.settingsJson).Networks), ['g1', 'g2']);
  const i1 = await call.inspectNetwork({ id: 'g1', verbose: false, scope: '' });
  assert.deepEqual(i1.containers.map((x) => [x.containerId, x.name, x.ipv4Address]), [[id, 'web', `${pool}.2/26`]]);
  await assert.rejects(call.removeNetwork({ id: 'g1', verbose: false, scope: '' }), (err: { code: number; details: string }) => err.code === status.PERMISSION_DENIED && /has active endpoints/.test(err.details));
  const d = await call.disconnect({ containerId: id, network: 'g2', force: false });
  assert.deepEqual(Object.keys(JSON.parse(d.settingsJson).Networks), ['g1']);
  await call.detach({ containerId: id });
  await call.removeNetwork({ id: 'g1', verbose: false, scope: '' });
  await assert.rejects(call.inspectNetwork({ id: 'g1', verbose: false, scope: '' }), (err: { code: number; details: string }) => err.code === status.NOT_FOUND && err.details === 'network g1 not found');
  assert.deepEqual((await call.pruneNetworks({ filters: [] })).networksDeleted, ['g2']);
  raw.close();
  await kill('SIGTERM');
});
