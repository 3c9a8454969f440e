import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseProcNetPorts } from './host-ports';
import { planBindings } from './port-spec';
import { addressesOverlap, PortStore, type AllocateOptions } from './port-store';

const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function dbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ports-store-'));
  dirs.push(dir);
  return path.join(dir, 'network', 'ports.db');
}

const none = new Set<number>();
function opts(extra: Partial<AllocateOptions> = {}): AllocateOptions {
  return { excluded: new Set(), hostUsed: () => none, ephemeral: { start: 43100, end: 43109 }, ...extra };
}

function plan(containerPort: string, hostIp: string, hostPort: string, ipv6 = false) {
  return planBindings({ bindings: [{ containerPort, hostIp, hostPort }], publishAll: false, exposed: [] }, ipv6);
}

test('overlap: equal addresses and wildcards of one family clash; v4 and v6 never', () => {
  assert.equal(addressesOverlap('0.0.0.0', '127.0.0.1'), true);
  assert.equal(addressesOverlap('127.0.0.1', '127.0.0.1'), true);
  assert.equal(addressesOverlap('127.0.0.1', '127.0.0.2'), false);
  assert.equal(addressesOverlap('::', '::1'), true);
  assert.equal(addressesOverlap('0.0.0.0', '::'), false);
});

test('a fixed port held on an overlapping address is refused with dockerd\'s words, and nothing of the refused publish stays', () => {
  const s = new PortStore(dbFile());
  s.allocate('a', '10.63.0.2', 'br', plan('80/tcp', '127.0.0.1', '43001'), opts());
  assert.throws(() => s.allocate('b', '10.63.0.3', 'br', [...plan('81/tcp', '', '43002'), ...plan('80/tcp', '', '43001')], opts()),
    /^PortAllocatedError: Bind for 0.0.0.0:43001 failed: port is already allocated$/);
  assert.deepEqual(s.rowsOf('b'), []);
  // Another address, another protocol: no clash.
  s.allocate('c', '10.63.0.4', 'br', plan('80/tcp', '127.0.0.2', '43001'), opts());
  s.allocate('d', '10.63.0.5', 'br', plan('80/udp', '', '43001'), opts());
  // The same port twice in one request clashes with itself.
  assert.throws(() => s.allocate('e', '10.63.0.6', 'br', [...plan('80/tcp', '', '43003'), ...plan('81/tcp', '', '43003')], opts()), /Bind for 0.0.0.0:43003 failed/);
  s.release('a');
  s.allocate('b', '10.63.0.3', 'br', plan('80/tcp', '127.0.0.1', '43001'), opts());
  s.close();
});

test('ranges give the first free port; ephemeral picks skip Berth\'s, excluded and host-used ports; all taken is refused', () => {
  const s = new PortStore(dbFile());
  const [r1] = s.allocate('a', '10.63.0.2', 'br', plan('80', '', '43010-43012'), opts());
  const [r2] = s.allocate('b', '10.63.0.3', 'br', plan('80', '', '43010-43012'), opts({ excluded: new Set(['tcp/43011']) }));
  assert.deepEqual([r1.hostPort, r2.hostPort], [43010, 43012]);
  assert.equal(r1.flexible, true);
  assert.throws(() => s.allocate('c', '10.63.0.4', 'br', plan('80', '', '43010-43010'), opts()), /Bind for 0.0.0.0:43010 failed: port is already allocated/);
  const e1 = s.allocate('d', '10.63.0.5', 'br', plan('80', '', '', true), opts({ hostUsed: () => new Set([43100]) }));
  assert.deepEqual(e1.map((r) => [r.hostIp, r.hostPort]), [['0.0.0.0', 43101], ['::', 43101]]);
  const ids: string[] = [];
  for (let i = 0; i < 9; i++) ids.push(...s.allocate(`e${i}`, '10.63.0.9', 'br', plan('80', '', ''), opts()).map((r) => String(r.hostPort)));
  assert.equal(new Set(ids).size, 9);
  // Picks go round the range after the last one, as dockerd's: 43102 onwards, then 43100 again.
  assert.deepEqual(ids, ['43102', '43103', '43104', '43105', '43106', '43107', '43108', '43109', '43100']);
  assert.throws(() => s.allocate('f', '10.63.0.9', 'br', plan('80', '', ''), opts()), /port is already allocated/);
  s.close();
});

test('allocations survive a reopen', () => {
  const file = dbFile();
  const a = new PortStore(file);
  a.allocate('a', '10.63.0.2', 'br', plan('80', '', '43020'), opts());
  a.close();
  const b = new PortStore(file);
  assert.throws(() => b.allocate('b', '10.63.0.3', 'br', plan('80', '127.0.0.1', '43020'), opts()), /already allocated/);
  assert.deepEqual(b.all().map((r) => [r.containerId, r.hostPort]), [['a', 43020]]);
  b.close();
});

test('stores on one file in several threads never hand out one port twice', async () => {
  const file = dbFile();
  new PortStore(file).close();
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { PortStore } = require(${JSON.stringify(path.join(__dirname, 'port-store.js'))});
    const { planBindings } = require(${JSON.stringify(path.join(__dirname, 'port-spec.js'))});
    const store = new PortStore(workerData.file);
    const plan = planBindings({ bindings: [{ containerPort: '80/tcp', hostIp: '', hostPort: '' }], publishAll: false, exposed: [] }, false);
    const out = [];
    for (let i = 0; i < 25; i++) {
      const rows = store.allocate(workerData.name + '-' + i, '10.63.0.2', 'br', plan, { excluded: new Set(), hostUsed: () => new Set(), ephemeral: { start: 43200, end: 43299 } });
      out.push(rows[0].hostPort);
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

test('/proc/net listings: listening TCP sockets and every bound UDP socket', () => {
  const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
   1: 0100007F:B043 0100007F:D97A 06 00000000:00000000 03:000009FE 00000000     0        0 0 3
`;
  assert.deepEqual([...parseProcNetPorts(tcp, 'tcp')], [8080]);
  const udp = `  sl  local_address rem_address   st
  10: 00000000:0035 00000000:0000 07 00000000:00000000
`;
  assert.deepEqual([...parseProcNetPorts(udp, 'udp')], [53]);
});
