import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatIpv4, parseIpv4, parseSubnet } from '../ipam/ipv4';
import { NetworkStore, SubnetFullError } from './network-store';

const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function dbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-net-store-'));
  dirs.push(dir);
  return path.join(dir, 'network', 'network.db');
}

function endpoint(containerId: string) {
  return { containerId, network: 'bridge' as const, macAddress: '02:00:00:00:00:01', hostVeth: `veth${containerId}`, netnsPath: `/x/${containerId}`, sandboxId: 's', endpointId: 'e' };
}

test('the predefined networks get stable 64-hex ids that survive a reopen', () => {
  const file = dbFile();
  const a = new NetworkStore(file);
  const ids = a.networks().map((n) => [n.name, n.driver, n.id]);
  assert.deepEqual(ids.map(([name, driver]) => [name, driver]), [['bridge', 'bridge'], ['host', 'host'], ['none', 'null']]);
  for (const [, , id] of ids) assert.match(id, /^[0-9a-f]{64}$/);
  assert.equal(a.countNetworks(), 3);
  a.close();
  const b = new NetworkStore(file);
  assert.deepEqual(b.networks().map((n) => [n.name, n.driver, n.id]), ids);
  b.close();
});

test('addresses: lowest free first, released ones reused, kept across a reopen', () => {
  const file = dbFile();
  const subnet = parseSubnet('10.9.0.0/24');
  const s = new NetworkStore(file);
  assert.equal(formatIpv4(s.addEndpoint(endpoint('a'), subnet).address!), '10.9.0.2');
  assert.equal(formatIpv4(s.addEndpoint(endpoint('b'), subnet).address!), '10.9.0.3');
  assert.equal(formatIpv4(s.addEndpoint(endpoint('c'), subnet).address!), '10.9.0.4');
  assert.ok(s.removeEndpoint('b'));
  assert.ok(!s.removeEndpoint('b'));
  s.close();
  const r = new NetworkStore(file);
  assert.equal(formatIpv4(r.endpoint('c')!.address!), '10.9.0.4');
  assert.equal(r.endpoint('c')!.hostVeth, 'vethc');
  assert.equal(formatIpv4(r.addEndpoint(endpoint('d'), subnet).address!), '10.9.0.3');
  // host and none endpoints take no address
  assert.equal(r.addEndpoint({ ...endpoint('h'), network: 'host' }).address, undefined);
  assert.throws(() => r.addEndpoint(endpoint('a'), subnet), /UNIQUE/);
  r.close();
});

test('a full subnet is an error, not a duplicate', () => {
  const s = new NetworkStore(dbFile());
  const subnet = parseSubnet('10.9.1.0/30'); // one usable host address besides the gateway
  assert.equal(s.addEndpoint(endpoint('a'), subnet).address, parseIpv4('10.9.1.2'));
  assert.throws(() => s.addEndpoint(endpoint('b'), subnet), SubnetFullError);
  s.close();
});

test('endpoints of an earlier boot are reported stale', () => {
  const file = dbFile();
  const before = new NetworkStore(file, { bootId: 'boot-1' });
  before.addEndpoint(endpoint('old'), parseSubnet('10.9.2.0/24'));
  before.close();
  const now = new NetworkStore(file, { bootId: 'boot-2' });
  now.addEndpoint(endpoint('new'), parseSubnet('10.9.2.0/24'));
  assert.deepEqual(now.staleEndpoints().map((e) => e.containerId), ['old']);
  now.close();
});

test('replicas allocating at once never hand out one address twice', async () => {
  const file = dbFile();
  new NetworkStore(file).close();
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { NetworkStore } = require(${JSON.stringify(path.join(__dirname, 'network-store.js'))});
    const { parseSubnet } = require(${JSON.stringify(path.join(__dirname, '..', 'ipam', 'ipv4.js'))});
    const store = new NetworkStore(workerData.file);
    const out = [];
    for (let i = 0; i < 25; i++) {
      const id = workerData.name + '-' + i;
      out.push(store.addEndpoint({ containerId: id, network: 'bridge', macAddress: '', hostVeth: '', netnsPath: '', sandboxId: '', endpointId: '' }, parseSubnet('10.9.3.0/24')).address);
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
