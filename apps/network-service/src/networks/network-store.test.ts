import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { openDatabase } from '@berth/storage';
import { formatIpv4, parseIpv4 } from '../ipam/ipv4';
import { addressPlan } from '../ipam/network-ipam';
import { AddressInUseError, NetworkGoneError, NetworkStore, SubnetFullError } from './network-store';

const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function dbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-net-store-'));
  dirs.push(dir);
  return path.join(dir, 'network', 'network.db');
}

const NET = 'f'.repeat(64);
function endpoint(containerId: string, networkId = NET) {
  return {
    containerId, networkId, containerName: `n-${containerId}`, macAddress: '02:00:00:00:00:01', hostVeth: `veth${containerId}`, endpointId: 'e',
    aliases: [], links: [], dnsNames: [], requestedIpv4: '', driverOpts: {}, gwPriority: 0,
  };
}
/** The networks the endpoints below name (an endpoint on a network that is gone is refused). */
function open(file: string, options: { bootId?: string } = {}): NetworkStore {
  const s = new NetworkStore(file, options);
  for (const id of [NET, 'e'.repeat(64), 'h'.repeat(64), 'n'.repeat(64)]) {
    if (s.networkById(id)) continue;
    s.createNetwork({
      name: `net-${id[0]}`, id, driver: 'bridge', created: '', scope: 'local', internal: false, attachable: false, ingress: false, enableIpv4: true,
      enableIpv6: false, ipamDriver: 'default', ipamOptions: {}, options: {}, labels: {}, configOnly: false, configFrom: '', bridge: `br-${id[0]}`,
    }, () => []);
  }
  return s;
}

function plan(subnet: string, extra: { ipRange?: string; gateway?: string; aux?: Record<string, string> } = {}) {
  return { plan: addressPlan({ subnet, ipRange: extra.ipRange ?? '', gateway: extra.gateway ?? subnet.replace(/0\/\d+$/, '1'), auxAddresses: extra.aux ?? {} }), requested: '' };
}

test('the predefined networks get stable 64-hex ids that survive a reopen', () => {
  const file = dbFile();
  const a = new NetworkStore(file);
  const ids = a.networks().map((n) => [n.name, n.driver, n.id]);
  assert.deepEqual(ids.map(([name, driver]) => [name, driver]), [['bridge', 'bridge'], ['host', 'host'], ['none', 'null']]);
  for (const [, , id] of ids) assert.match(id, /^[0-9a-f]{64}$/);
  assert.match(a.network('bridge')!.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  a.close();
  const b = new NetworkStore(file);
  assert.deepEqual(b.networks().map((n) => [n.name, n.driver, n.id]), ids);
  b.close();
});

test('addresses: lowest free first, released ones reused, kept across a reopen; ethN per container', () => {
  const file = dbFile();
  const s = open(file);
  const p = plan('10.9.0.0/24');
  assert.equal(formatIpv4(s.addEndpoint(endpoint('a'), p).address!), '10.9.0.2');
  assert.equal(formatIpv4(s.addEndpoint(endpoint('b'), p).address!), '10.9.0.3');
  assert.equal(formatIpv4(s.addEndpoint(endpoint('c'), p).address!), '10.9.0.4');
  assert.ok(s.removeEndpoint('b', NET));
  assert.ok(!s.removeEndpoint('b', NET));
  s.close();
  const r = open(file);
  assert.equal(formatIpv4(r.endpoint('c', NET)!.address!), '10.9.0.4');
  assert.equal(r.endpoint('c', NET)!.hostVeth, 'vethc');
  assert.equal(r.endpoint('c', NET)!.ifName, 'eth0');
  assert.equal(formatIpv4(r.addEndpoint(endpoint('d'), p).address!), '10.9.0.3');
  // A second network for c: eth1; the address space is per network.
  const other = 'e'.repeat(64);
  const c2 = r.addEndpoint(endpoint('c', other), plan('10.9.9.0/24'));
  assert.equal(c2.ifName, 'eth1');
  assert.equal(formatIpv4(c2.address!), '10.9.9.2');
  assert.deepEqual(r.endpointsOf('c').map((e) => e.networkId), [NET, other]);
  assert.equal(r.addEndpoint(endpoint('h', 'h'.repeat(64))).address, undefined);
  assert.throws(() => r.addEndpoint(endpoint('a'), p), /UNIQUE/);
  r.close();
});

test('IPRange, gateway and auxiliary addresses bound what is handed out', () => {
  const s = open(dbFile());
  const p = plan('10.9.4.0/24', { ipRange: '10.9.4.8/30', gateway: '10.9.4.9', aux: { router: '10.9.4.10' } });
  assert.equal(formatIpv4(s.addEndpoint(endpoint('a'), p).address!), '10.9.4.8');
  assert.equal(formatIpv4(s.addEndpoint(endpoint('b'), p).address!), '10.9.4.11');
  assert.throws(() => s.addEndpoint(endpoint('c'), p), SubnetFullError);
  s.close();
});

test('--ip: inside the subnet, not taken, not the gateway; else dockerd\'s words', () => {
  const s = open(dbFile());
  const p = plan('10.9.5.0/24');
  assert.equal(formatIpv4(s.addEndpoint(endpoint('a'), { ...p, requested: '10.9.5.77' }).address!), '10.9.5.77');
  assert.throws(() => s.addEndpoint(endpoint('b'), { ...p, requested: '10.9.5.77' }), (e: Error) => e instanceof AddressInUseError && e.message === 'Address already in use');
  assert.throws(() => s.addEndpoint(endpoint('b'), { ...p, requested: '10.9.5.1' }), AddressInUseError);
  assert.throws(() => s.addEndpoint(endpoint('b'), { ...p, requested: '10.9.6.3' }), /no configured subnet or ip-range contain the IP address 10\.9\.6\.3/);
  assert.equal(s.endpointsOf('b').length, 0, 'nothing recorded for a refused --ip');
  s.close();
});

test('a full subnet is an error, not a duplicate', () => {
  const s = open(dbFile());
  const p = plan('10.9.1.0/30'); // one usable host address besides the gateway
  assert.equal(s.addEndpoint(endpoint('a'), p).address, parseIpv4('10.9.1.2'));
  assert.throws(() => s.addEndpoint(endpoint('b'), p), SubnetFullError);
  s.close();
});

test('endpoints and sandboxes of an earlier boot are reported stale', () => {
  const file = dbFile();
  const before = open(file, { bootId: 'boot-1' });
  before.addEndpoint(endpoint('old'), plan('10.9.2.0/24'));
  before.putSandbox({ containerId: 'old', containerName: 'o', hostname: '', netnsPath: '/x', sandboxId: 's', dns: [], hostNetwork: false, ports: {} });
  before.close();
  const now = open(file, { bootId: 'boot-2' });
  now.addEndpoint(endpoint('new'), plan('10.9.2.0/24'));
  assert.deepEqual(now.staleEndpoints().map((e) => e.containerId), ['old']);
  assert.deepEqual(now.staleSandboxes().map((e) => e.containerId), ['old']);
  now.close();
});

test('user networks: unique names, removal refused while endpoints remain', () => {
  const s = new NetworkStore(dbFile());
  const base = {
    name: 'net1', id: 'a1'.repeat(32), driver: 'bridge', created: '', scope: 'local', internal: false, attachable: false, ingress: false, enableIpv4: true,
    enableIpv6: false, ipamDriver: 'default', ipamOptions: {}, options: {}, labels: { a: 'b' }, configOnly: false, configFrom: '', bridge: 'br-a1a1',
  };
  const ipam = [{ subnet: '10.9.7.0/24', ipRange: '', gateway: '10.9.7.1', auxAddresses: {} }];
  s.createNetwork(base, (existing) => {
    assert.equal(existing.length, 3);
    return ipam;
  });
  assert.deepEqual(s.network('net1')!.ipam, ipam);
  assert.deepEqual(s.networkById(base.id)!.labels, { a: 'b' });
  assert.throws(() => s.createNetwork({ ...base, id: 'b2'.repeat(32) }, () => ipam), /UNIQUE constraint failed: networks\.name/);
  s.addEndpoint(endpoint('c', base.id), plan('10.9.7.0/24'));
  assert.equal(s.removeNetwork(base.id), 'busy');
  s.removeEndpoint('c', base.id);
  assert.equal(s.removeNetwork(base.id), 'removed');
  assert.equal(s.removeNetwork(base.id), 'gone');
  assert.throws(() => s.addEndpoint(endpoint('c', base.id), plan('10.9.7.0/24')), NetworkGoneError);
  s.close();
});

test('a database of before issue 10 is migrated: its endpoints keep their addresses', () => {
  const file = dbFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const old = openDatabase(file, [`CREATE TABLE networks (name TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, driver TEXT NOT NULL, created TEXT NOT NULL);
    CREATE TABLE endpoints (container_id TEXT PRIMARY KEY, network TEXT NOT NULL, address INTEGER, mac_address TEXT NOT NULL, host_veth TEXT NOT NULL,
      netns_path TEXT NOT NULL, sandbox_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, boot_id TEXT NOT NULL);
    CREATE UNIQUE INDEX endpoints_address ON endpoints(network, address) WHERE address IS NOT NULL;`]);
  old.exec(`INSERT INTO networks VALUES ('bridge', '${'b'.repeat(64)}', 'bridge', '2020-01-01T00:00:00Z');
    INSERT INTO endpoints VALUES ('c1', 'bridge', ${parseIpv4('10.9.8.2')}, '02:00:00:00:00:09', 'vethold', '/run/x/c1', 'sb', 'ep', 'boot');`);
  old.close();
  const s = new NetworkStore(file, { bootId: 'boot' });
  assert.equal(s.network('bridge')!.id, 'b'.repeat(64));
  const ep = s.endpoint('c1', 'b'.repeat(64))!;
  assert.equal(formatIpv4(ep.address!), '10.9.8.2');
  assert.equal(ep.ifName, 'eth0');
  assert.equal(s.sandbox('c1')!.netnsPath, '/run/x/c1');
  s.close();
});

test('replicas allocating at once never hand out one address twice', async () => {
  const file = dbFile();
  open(file).close();
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { NetworkStore } = require(${JSON.stringify(path.join(__dirname, 'network-store.js'))});
    const { addressPlan } = require(${JSON.stringify(path.join(__dirname, '..', 'ipam', 'network-ipam.js'))});
    const store = new NetworkStore(workerData.file);
    const plan = addressPlan({ subnet: '10.9.3.0/24', ipRange: '', gateway: '10.9.3.1', auxAddresses: {} });
    const out = [];
    for (let i = 0; i < 25; i++) {
      const id = workerData.name + '-' + i;
      out.push(store.addEndpoint({ containerId: id, networkId: 'n'.repeat(64), containerName: id, macAddress: '', hostVeth: '', endpointId: '', aliases: [], links: [], dnsNames: [], requestedIpv4: '', driverOpts: {}, gwPriority: 0 }, { plan, requested: '' }).address);
    }
    store.close();
    parentPort.postMessage(out);
  `;
  const results = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((name) => new Promise<number[]>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { file, name } });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  const all = results.flat();
  assert.equal(all.length, 100);
  assert.equal(new Set(all).size, 100);
});
