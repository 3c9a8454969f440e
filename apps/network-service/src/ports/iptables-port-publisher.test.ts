// Publisher logic against an in-memory iptables and real sockets on
// loopback (host ports 43300-43999; needs no root).
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { FakeIptables } from './fake-iptables';
import { hostHasIpv6 } from './host-ports';
import { IptablesPortPublisher } from './iptables-port-publisher';
import type { PublishRequest } from './port-publisher';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
const ipv6 = hostHasIpv6();
const dirs: string[] = [];
const publishers: IptablesPortPublisher[] = [];
const servers: net.Server[] = [];
after(async () => {
  for (const p of publishers) await p.close().catch(() => undefined);
  for (const s of servers) s.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ports-pub-'));
  dirs.push(dir);
  return dir;
}

function publisher(dir: string, iptables: FakeIptables, ephemeral = { start: 43300, end: 43399 }): IptablesPortPublisher {
  const p = new IptablesPortPublisher({ stateDir: dir, tag: 'bttest', logger: quiet, iptables, ephemeral, ipv6, hostUsed: () => new Set() });
  publishers.push(p);
  return p;
}

function request(containerId: string, bindings: PublishRequest['bindings'], extra: Partial<PublishRequest> = {}): PublishRequest {
  return { containerId, containerIp: '127.0.0.1', bridge: 'brtest', bindings, publishAll: false, exposed: [], ...extra };
}

/** A stand-in "container" server on 127.0.0.1: answers "hi <what it read>" once the client half-closes. */
async function containerServer(): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => s.end(`hi ${Buffer.concat(chunks).toString()}`));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function exchange(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, allowHalfOpen: true }, () => s.end(text));
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks).toString()));
    s.on('error', reject);
  });
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, ipv6Only: net.isIPv6(host), exclusive: true }, () => s.close(() => resolve(true)));
  });
}

async function rejectsWith(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RpcError, String(err));
    assert.equal(err.code, status.INTERNAL);
    assert.equal(err.message, message);
    return true;
  });
}

test('publish: rules in Berth\'s chains, the port held, the PortMap as dockerd shapes it, and IPv6 clients proxied', async () => {
  const fake = new FakeIptables();
  const p = publisher(stateDir(), fake);
  const cport = await containerServer();
  const map = await p.publish(request('c1', [
    { containerPort: `${cport}/tcp`, hostIp: '', hostPort: '43301' },
    { containerPort: '53/udp', hostIp: '127.0.0.1', hostPort: '43301' },
  ], { exposed: [`${cport}/tcp`, '9999/tcp'] }));
  assert.deepEqual(map, {
    [`${cport}/tcp`]: [{ HostIp: '0.0.0.0', HostPort: '43301' }, ...(ipv6 ? [{ HostIp: '::', HostPort: '43301' }] : [])],
    '53/udp': [{ HostIp: '127.0.0.1', HostPort: '43301' }],
    '9999/tcp': null,
  });
  assert.deepEqual(fake.rules('nat', 'BERTH-DNAT-bttest'), [
    `! -s 127.0.0.1/32 -p tcp -m tcp --dport 43301 -m comment --comment berth:bttest -m comment --comment berth-c:c1 -j DNAT --to-destination 127.0.0.1:${cport}`,
    '-d 127.0.0.1/32 -p udp -m udp --dport 43301 -m comment --comment berth:bttest -m comment --comment berth-c:c1 -j DNAT --to-destination 127.0.0.1:53',
  ]);
  assert.deepEqual(fake.rules('nat', 'PREROUTING'), ['-m addrtype --dst-type LOCAL -m comment --comment berth:bttest -j BERTH-DNAT-bttest']);
  assert.deepEqual(fake.rules('nat', 'OUTPUT'), ['-m addrtype --dst-type LOCAL -m comment --comment berth:bttest -j BERTH-DNAT-bttest']);
  assert.deepEqual(fake.rules('filter', 'FORWARD'), ['-m comment --comment berth:bttest -j BERTH-PORTS-bttest']);
  assert.ok(fake.rules('nat', 'BERTH-PMASQ-bttest').includes('-o brtest -m addrtype --src-type LOCAL -m comment --comment berth:bttest -m comment --comment berth-b:brtest -j MASQUERADE'));
  assert.equal(fake.rules('filter', 'BERTH-PORTS-bttest').length, 4);
  assert.deepEqual(fake.rules('filter', 'INPUT'), ['-m comment --comment berth:bttest -j BERTH-LOIN-bttest']);
  assert.deepEqual(fake.rules('filter', 'BERTH-LOIN-bttest'), [
    '-i brtest -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED -m comment --comment berth:bttest -m comment --comment berth-b:brtest -j DROP',
  ]);
  // Held: nobody else binds it; the held socket proxies (here the fake DNAT does nothing, so IPv4 goes through it too).
  assert.equal(await canBind('0.0.0.0', 43301), false);
  assert.equal(await exchange('127.0.0.1', 43301, 'v4'), 'hi v4');
  if (ipv6) assert.equal(await exchange('::1', 43301, 'v6'), 'hi v6');
  await p.unpublish('c1');
  assert.deepEqual(fake.find('berth:bttest'), []);
  assert.equal(fake.hasChain('nat', 'BERTH-DNAT-bttest'), false);
  assert.equal(fake.hasChain('filter', 'BERTH-PORTS-bttest'), false);
  assert.equal(await canBind('0.0.0.0', 43301), true);
  await p.unpublish('c1'); // nothing published is fine
});

test('a port Berth holds already: dockerd\'s "port is already allocated", and the failed publish leaves nothing', async () => {
  const fake = new FakeIptables();
  const p = publisher(stateDir(), fake);
  await p.publish(request('a', [{ containerPort: '80/tcp', hostIp: '127.0.0.1', hostPort: '43310' }]));
  const before = fake.find('berth:bttest');
  await rejectsWith(
    p.publish(request('b', [
      { containerPort: '81/tcp', hostIp: '', hostPort: '43311' },
      { containerPort: '80/tcp', hostIp: '', hostPort: '43310' },
    ], { endpointName: 'web', endpointId: 'e'.repeat(64) })),
    `driver failed programming external connectivity on endpoint web (${'e'.repeat(64)}): Bind for 0.0.0.0:43310 failed: port is already allocated`);
  assert.deepEqual(fake.find('berth:bttest'), before);
  assert.equal(await canBind('0.0.0.0', 43311), true);
  assert.equal(await canBind('127.0.0.1', 43310), false);
  await p.unpublish('a');
});

test('a port another program holds: dockerd\'s bind error, nothing left; a picked port the host holds is swapped for another', async () => {
  const fake = new FakeIptables();
  const p = publisher(stateDir(), fake, { start: 43320, end: 43321 });
  const foreign = net.createServer();
  servers.push(foreign);
  await new Promise<void>((resolve) => foreign.listen(43320, '0.0.0.0', resolve));
  await rejectsWith(p.publish(request('a', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43320' }])),
    'driver failed programming external connectivity on endpoint a (a): Error starting userland proxy: listen tcp4 0.0.0.0:43320: bind: address already in use');
  assert.deepEqual(fake.find('berth:bttest'), []);
  // hostUsed is blind here, so the first pick (43320) is refused by the bind and the second kept.
  const map = await p.publish(request('b', [{ containerPort: '80/tcp', hostIp: '', hostPort: '' }]));
  assert.equal(map['80/tcp']![0].HostPort, '43321');
  await p.unpublish('b');
  foreign.close();
});

test('concurrent publishes in one process never share a port', async () => {
  const p = publisher(stateDir(), new FakeIptables(), { start: 43400, end: 43499 });
  const maps = await Promise.all(Array.from({ length: 20 }, (_, i) => p.publish(request(`c${i}`, [{ containerPort: '80/tcp', hostIp: '', hostPort: '' }]))));
  const ports = maps.map((m) => m['80/tcp']![0].HostPort);
  assert.equal(new Set(ports).size, 20);
  await Promise.all(Array.from({ length: 20 }, (_, i) => p.unpublish(`c${i}`)));
});

test('two publishers on one database refuse each other\'s ports', async () => {
  const dir = stateDir();
  const fake = new FakeIptables();
  const a = publisher(dir, fake);
  const b = publisher(dir, fake);
  await a.publish(request('a', [{ containerPort: '80/udp', hostIp: '', hostPort: '43330' }]));
  await rejectsWith(b.publish(request('b', [{ containerPort: '80/udp', hostIp: '127.0.0.1', hostPort: '43330' }])),
    'driver failed programming external connectivity on endpoint b (b): Bind for 127.0.0.1:43330 failed: port is already allocated');
  await a.unpublish('a');
  await b.publish(request('b', [{ containerPort: '80/udp', hostIp: '127.0.0.1', hostPort: '43330' }]));
  await b.unpublish('b');
});

test('reconcile after a crash: rules of dead containers go, live ones are completed and their ports held again', async () => {
  const dir = stateDir();
  const fake = new FakeIptables();
  const first = publisher(dir, fake);
  await first.publish(request('live', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43340' }]));
  await first.publish(request('dead', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43341' }]));
  await first.close(); // the crash: sockets gone, rules and records left
  fake.tables.get('nat')!.get('BERTH-DNAT-bttest')!.shift(); // and one of live's rules lost
  const second = publisher(dir, fake);
  await second.reconcile(new Set(['live']));
  assert.deepEqual(fake.find('berth-c:dead'), []);
  assert.equal(fake.find('berth-c:live').length, 3);
  assert.equal(fake.rules('nat', 'BERTH-DNAT-bttest').length, 1);
  assert.equal(await canBind('0.0.0.0', 43340), false);
  assert.equal(await canBind('0.0.0.0', 43341), true);
  // The dead container's port is free for others now.
  await second.publish(request('new', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43341' }]));
  await second.reconcile(new Set());
  assert.deepEqual(fake.find('berth:bttest'), []);
  assert.equal(fake.hasChain('nat', 'BERTH-DNAT-bttest'), false);
  assert.equal(await canBind('0.0.0.0', 43340), true);
});

test('publish again replaces what the container held; no bindings gives the exposed ports as null', async () => {
  const fake = new FakeIptables();
  const p = publisher(stateDir(), fake);
  await p.publish(request('a', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43350' }]));
  await p.publish(request('a', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43351' }]));
  assert.equal(await canBind('0.0.0.0', 43350), true);
  assert.equal(fake.find('berth-c:a').length, 3);
  assert.deepEqual(await p.publish(request('a', [], { exposed: ['80/tcp'] })), { '80/tcp': null });
  assert.deepEqual(fake.find('berth:bttest'), []);
});

test('rules someone else removed: publish makes the chains again, unpublish still removes the rest', async () => {
  const fake = new FakeIptables();
  const p = publisher(stateDir(), fake);
  await p.publish(request('a', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43360' }]));
  // Everything wiped behind the publisher's back (an operator's iptables -F, a cleanup script).
  const wiped = new FakeIptables();
  fake.tables = wiped.tables;
  await p.publish(request('b', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43361' }]));
  assert.equal(fake.find('berth-c:b').length, 3);
  assert.equal(fake.rules('nat', 'PREROUTING').length, 1);
  assert.equal(fake.find('berth-b:brtest').length, 2);
  // One of b's rules gone too: the exact removal fails, the listing one takes the rest.
  fake.tables.get('filter')!.get('BERTH-PORTS-bttest')!.pop();
  await p.unpublish('a');
  await p.unpublish('b');
  assert.deepEqual(fake.find('berth:bttest'), []);
  assert.equal(fake.hasChain('nat', 'BERTH-DNAT-bttest'), false);
});

test('the FORWARD jump goes right after network-service\'s own (its isolation decides first), else first', async () => {
  const fake = new FakeIptables();
  const forward = fake.tables.get('filter')!.get('FORWARD')!;
  forward.push('-j SOMEONE-ELSE', '-m comment --comment berth:bttest -j BERTH-FWD-bttest', '-j DROP');
  const p = publisher(stateDir(), fake);
  await p.publish(request('a', [{ containerPort: '80/tcp', hostIp: '', hostPort: '43370' }]));
  assert.deepEqual(fake.rules('filter', 'FORWARD'), [
    '-j SOMEONE-ELSE', '-m comment --comment berth:bttest -j BERTH-FWD-bttest', '-m comment --comment berth:bttest -j BERTH-PORTS-bttest', '-j DROP',
  ]);
  await p.unpublish('a');
  assert.deepEqual(fake.rules('filter', 'FORWARD'), ['-j SOMEONE-ELSE', '-m comment --comment berth:bttest -j BERTH-FWD-bttest', '-j DROP']);
});
