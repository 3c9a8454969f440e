// Integration: a bridge, a "container" namespace with a tiny TCP server and a
// "client" namespace on a veth of its own, all with random names in
// 10.63.x.x; real iptables rules tagged with the bridge's name. Everything is
// removed again in `after`. Needs root.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { hostHasIpv6 } from './host-ports';
import { IptablesPortPublisher } from './iptables-port-publisher';
import type { PublishRequest } from './port-publisher';

if (process.getuid?.() !== 0) throw new Error(`${__filename}: needs root`);

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
const suffix = crypto.randomBytes(3).toString('hex');
const bridge = `bp${suffix}`;
const tag = bridge;
const octet = crypto.randomInt(0, 100) * 2; // 10.63.0-199: the e2e test uses 10.63.200-249
const bridgeNet = `10.63.${octet}`; // bridge 10.63.N.1/24, container .2
const clientNet = `10.63.${octet + 1}`; // host veth 10.63.N+1.1/24, client .2
const containerNs = `bpc${suffix}`;
const clientNs = `bpk${suffix}`;
const containerIp = `${bridgeNet}.2`;
const hostSideOfClient = `${clientNet}.1`;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ports-it-'));
const ipv6 = hostHasIpv6();
const port = () => 43500 + crypto.randomInt(0, 400);
const publishers: IptablesPortPublisher[] = [];
let server: ChildProcess | undefined;

function sh(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

function rulesOfTag(): string[] {
  const out: string[] = [];
  for (const table of ['nat', 'filter']) {
    for (const line of sh('iptables', '-w', '-t', table, '-S').split('\n')) if (line.includes(`berth:${tag}`) || line.includes(`-${tag}`)) out.push(`${table} ${line}`);
  }
  return out;
}

function chainsOfTag(): string[] {
  return ['nat', 'filter'].flatMap((t) => sh('iptables', '-w', '-t', t, '-S').split('\n').filter((l) => l.startsWith('-N') && l.endsWith(`-${tag}`)));
}

function request(containerId: string, bindings: PublishRequest['bindings']): PublishRequest {
  return { containerId, containerIp, bridge, bindings, publishAll: false, exposed: [] };
}

function publisher(): IptablesPortPublisher {
  const p = new IptablesPortPublisher({ stateDir: path.join(root, 'network'), tag, logger: quiet, ipv6 });
  publishers.push(p);
  return p;
}

/** A request from the host: the server's answer, or the error code. */
function fetchFromHost(host: string, p: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port: p, timeout: 3000 });
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks).toString().trim()));
    s.on('timeout', () => { s.destroy(); resolve('ETIMEDOUT'); });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

/** The same from inside the client namespace. */
function fetchFromClient(host: string, p: number): string {
  return fetchFrom(clientNs, host, p);
}

function fetchFrom(ns: string, host: string, p: number): string {
  const script = `const s=require('net').connect({host:${JSON.stringify(host)},port:${p},timeout:3000});let d='';`
    + `s.on('data',c=>d+=c);s.on('end',()=>console.log(d.trim()));s.on('timeout',()=>{console.log('ETIMEDOUT');process.exit()});s.on('error',e=>console.log(e.code))`;
  return spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8' }).stdout.trim();
}

/** One UDP datagram from the host and the answer (or "timeout"). */
function udpFromHost(host: string, p: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve('timeout'); }, 3000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m.toString()); });
    s.send(text, p, host);
  });
}

/** fetchFrom without blocking this process (whose own servers must answer meanwhile). */
function fetchFromAsync(ns: string, host: string, p: number): Promise<string> {
  const script = `const s=require('net').connect({host:${JSON.stringify(host)},port:${p},timeout:3000});let d='';`
    + `s.on('data',c=>d+=c);s.on('end',()=>console.log(d.trim()));s.on('timeout',()=>{console.log('ETIMEDOUT');process.exit()});s.on('error',e=>console.log(e.code))`;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  return new Promise((resolve) => child.on('close', () => resolve(out.trim())));
}

function dnatPackets(): number {
  const listing = sh('iptables', '-w', '-t', 'nat', '-L', `BERTH-DNAT-${tag}`, '-v', '-x', '-n');
  return listing.split('\n').slice(2).filter((l) => l.trim()).reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]), 0);
}

before(async () => {
  sh('ip', 'link', 'add', bridge, 'type', 'bridge');
  sh('ip', 'addr', 'add', `${bridgeNet}.1/24`, 'dev', bridge);
  sh('ip', 'link', 'set', bridge, 'up');
  sh('ip', 'netns', 'add', containerNs);
  sh('ip', 'link', 'add', `bph${suffix}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', containerNs);
  sh('ip', 'link', 'set', `bph${suffix}`, 'master', bridge, 'up');
  sh('ip', 'netns', 'exec', containerNs, 'ip', 'addr', 'add', `${containerIp}/24`, 'dev', 'eth0');
  sh('ip', 'netns', 'exec', containerNs, 'ip', 'link', 'set', 'lo', 'up');
  sh('ip', 'netns', 'exec', containerNs, 'ip', 'link', 'set', 'eth0', 'up');
  sh('ip', 'netns', 'exec', containerNs, 'ip', 'route', 'add', 'default', 'via', `${bridgeNet}.1`);
  sh('ip', 'netns', 'add', clientNs);
  sh('ip', 'link', 'add', `bpk${suffix}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', clientNs);
  sh('ip', 'addr', 'add', `${hostSideOfClient}/24`, 'dev', `bpk${suffix}`);
  sh('ip', 'link', 'set', `bpk${suffix}`, 'up');
  sh('ip', 'netns', 'exec', clientNs, 'ip', 'addr', 'add', `${clientNet}.2/24`, 'dev', 'eth0');
  sh('ip', 'netns', 'exec', clientNs, 'ip', 'link', 'set', 'lo', 'up');
  sh('ip', 'netns', 'exec', clientNs, 'ip', 'link', 'set', 'eth0', 'up');
  sh('ip', 'netns', 'exec', clientNs, 'ip', 'route', 'add', 'default', 'via', hostSideOfClient);
  // The "container": answers "hi" to every connection on port 80.
  const script = `const u=require('dgram').createSocket('udp4');u.on('message',(m,r)=>u.send('hi '+m,r.port,r.address));u.bind(80);`
    + `require('net').createServer(s=>s.end('hi\\n')).listen(80,'0.0.0.0',()=>console.log('up'))`;
  server = spawn('ip', ['netns', 'exec', containerNs, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server!.stdout!.once('data', () => resolve());
    server!.once('exit', (code) => reject(new Error(`container server exited ${code}`)));
  });
});

after(async () => {
  for (const p of publishers) await p.close().catch(() => undefined);
  if (server?.pid) server.kill();
  // Whatever a failed test left: our tagged rules, our chains, links, namespaces.
  for (const table of ['nat', 'filter']) {
    for (const line of sh('iptables', '-w', '-t', table, '-S').split('\n')) {
      const fields = line.trim().split(/\s+/).map((f) => f.replace(/^"(.*)"$/, '$1'));
      if (fields[0] === '-A' && fields.includes(`berth:${tag}`)) spawnSync('iptables', ['-w', '-t', table, '-D', ...fields.slice(1)]);
    }
    for (const chain of ['DNAT', 'PMASQ', 'PORTS', 'LOIN']) {
      spawnSync('iptables', ['-w', '-t', table, '-F', `BERTH-${chain}-${tag}`], { stdio: 'ignore' });
      spawnSync('iptables', ['-w', '-t', table, '-X', `BERTH-${chain}-${tag}`], { stdio: 'ignore' });
    }
  }
  spawnSync('ip', ['link', 'del', `bpk${suffix}`], { stdio: 'ignore' });
  spawnSync('ip', ['link', 'del', `bph${suffix}`], { stdio: 'ignore' });
  spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  spawnSync('ip', ['netns', 'del', containerNs], { stdio: 'ignore' });
  spawnSync('ip', ['netns', 'del', clientNs], { stdio: 'ignore' });
  fs.rmSync(root, { recursive: true, force: true });
});

test('127.0.0.1 and all-address bindings: host loopback through DNAT, ::1 through the held socket, a namespace through DNAT; unpublish removes everything', async () => {
  const p = publisher();
  const local = port();
  const all = local + 1;
  const id = crypto.randomBytes(32).toString('hex');
  const map = await p.publish(request(id, [
    { containerPort: '80/tcp', hostIp: '127.0.0.1', hostPort: String(local) },
    { containerPort: '80/tcp', hostIp: '', hostPort: String(all) },
  ]));
  assert.deepEqual(map['80/tcp'], [
    { HostIp: '127.0.0.1', HostPort: String(local) },
    { HostIp: '0.0.0.0', HostPort: String(all) },
    ...(ipv6 ? [{ HostIp: '::', HostPort: String(all) }] : []),
  ]);
  assert.equal(fs.readFileSync(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, 'utf8').trim(), '1');
  const before = dnatPackets();
  assert.equal(await fetchFromHost('127.0.0.1', local), 'hi');
  assert.equal(await fetchFromHost('127.0.0.1', all), 'hi');
  assert.ok(dnatPackets() >= before + 2, 'the loopback requests went through the DNAT rules');
  if (ipv6) assert.equal(await fetchFromHost('::1', all), 'hi');
  assert.equal(fetchFromClient(hostSideOfClient, all), 'hi');
  // Both forwarding rules (to the container, and its answers) saw that exchange: a FORWARD policy of DROP would not have stopped it.
  const forwarded = sh('iptables', '-w', '-L', `BERTH-PORTS-${tag}`, '-v', '-x', '-n').split('\n').slice(2).filter((l) => l.includes(`${all}`) || l.includes('dpt:80') || l.includes('spt:80'));
  assert.equal(forwarded.length, 2);
  for (const line of forwarded) assert.ok(Number(line.trim().split(/\s+/)[0]) > 0, line);
  // The container reaches its own published port through its gateway (the held socket's proxy: no hairpin needed).
  assert.equal(await fetchFromAsync(containerNs, `${bridgeNet}.1`, all), 'hi');
  // route_localnet does not open the host's 127.0.0.0/8 services to the container (a route to 127.0.0.99 through its gateway).
  const hostOnly = net.createServer((s) => s.end('host-only\n'));
  await new Promise<void>((resolve) => hostOnly.listen(local + 2, '127.0.0.99', resolve));
  try {
    sh('ip', 'netns', 'exec', containerNs, 'ip', 'route', 'del', 'local', '127.0.0.0/8', 'dev', 'lo', 'table', 'local');
    sh('ip', 'netns', 'exec', containerNs, 'ip', 'route', 'add', '127.0.0.99/32', 'via', `${bridgeNet}.1`, 'dev', 'eth0');
    sh('ip', 'netns', 'exec', containerNs, 'sysctl', '-qw', 'net.ipv4.conf.eth0.route_localnet=1');
    assert.match(await fetchFromAsync(containerNs, '127.0.0.99', local + 2), /ETIMEDOUT/);
    const dropped = sh('iptables', '-w', '-L', `BERTH-LOIN-${tag}`, '-v', '-x', '-n').split('\n').slice(2).filter((l) => l.trim());
    assert.equal(dropped.length, 1);
    assert.ok(Number(dropped[0].trim().split(/\s+/)[0]) > 0, dropped[0]);
  } finally {
    hostOnly.close();
  }
  // 127.0.0.1 only: not reachable from outside.
  assert.match(fetchFromClient(hostSideOfClient, local), /ECONNREFUSED|ETIMEDOUT/);

  await p.unpublish(id);
  assert.deepEqual(rulesOfTag(), []);
  assert.deepEqual(chainsOfTag(), []);
  assert.match(await fetchFromHost('127.0.0.1', local), /ECONNREFUSED/);
  assert.match(fetchFromClient(hostSideOfClient, all), /ECONNREFUSED|ETIMEDOUT/);
});

test('udp: a datagram to 127.0.0.1 reaches the container through DNAT and the answer comes back', async () => {
  const p = publisher();
  const udpPort = port();
  const id = crypto.randomBytes(32).toString('hex');
  const map = await p.publish(request(id, [{ containerPort: '80/udp', hostIp: '', hostPort: String(udpPort) }]));
  assert.equal(map['80/udp']![0].HostPort, String(udpPort));
  assert.equal(await udpFromHost('127.0.0.1', udpPort, 'u1'), 'hi u1');
  await p.unpublish(id);
  assert.deepEqual(rulesOfTag(), []);
});

test('a host port already published: dockerd\'s error, and the rules are as before', async () => {
  const p = publisher();
  const taken = port();
  const a = crypto.randomBytes(32).toString('hex');
  await p.publish(request(a, [{ containerPort: '80/tcp', hostIp: '', hostPort: String(taken) }]));
  const rulesBefore = rulesOfTag();
  await assert.rejects(p.publish({ ...request('b'.repeat(64), [
    { containerPort: '81/tcp', hostIp: '', hostPort: String(taken + 1) },
    { containerPort: '80/tcp', hostIp: '127.0.0.1', hostPort: String(taken) },
  ]), endpointName: 'second', endpointId: 'f'.repeat(64) }), (err: unknown) => {
    assert.ok(err instanceof RpcError);
    assert.equal(err.message, `driver failed programming external connectivity on endpoint second (${'f'.repeat(64)}): Bind for 127.0.0.1:${taken} failed: port is already allocated`);
    return true;
  });
  assert.deepEqual(rulesOfTag(), rulesBefore);
  assert.match(await fetchFromHost('127.0.0.1', taken + 1), /ECONNREFUSED/);
  assert.equal(await fetchFromHost('127.0.0.1', taken), 'hi');
  await p.unpublish(a);
  assert.deepEqual(rulesOfTag(), []);
});

test('reconcile after a crash: dead containers\' rules go, a live one\'s lost rule comes back and its port is held again', async () => {
  const first = publisher();
  const live = crypto.randomBytes(32).toString('hex');
  const dead = crypto.randomBytes(32).toString('hex');
  const livePort = port();
  await first.publish(request(live, [{ containerPort: '80/tcp', hostIp: '', hostPort: String(livePort) }]));
  await first.publish(request(dead, [{ containerPort: '80/tcp', hostIp: '', hostPort: String(livePort + 1) }]));
  await first.close(); // crash: sockets gone, rules and records stay
  const lost = sh('iptables', '-w', '-t', 'nat', '-S', `BERTH-DNAT-${tag}`).split('\n').find((l) => l.includes(live))!;
  spawnSync('iptables', ['-w', '-t', 'nat', '-D', ...lost.trim().split(/\s+/).slice(1).map((f) => f.replace(/^"(.*)"$/, '$1'))]);

  const second = publisher();
  await second.reconcile(new Set([live]));
  assert.equal(rulesOfTag().filter((l) => l.includes(dead)).length, 0);
  assert.equal(rulesOfTag().filter((l) => l.includes(`berth-c:${live}`)).length, 3);
  assert.equal(await fetchFromHost('127.0.0.1', livePort), 'hi');
  assert.equal(fetchFromClient(hostSideOfClient, livePort), 'hi');
  if (ipv6) assert.equal(await fetchFromHost('::1', livePort), 'hi');
  assert.match(await fetchFromHost('127.0.0.1', livePort + 1), /ECONNREFUSED/);

  await second.reconcile(new Set());
  assert.deepEqual(rulesOfTag(), []);
  assert.deepEqual(chainsOfTag(), []);
});
