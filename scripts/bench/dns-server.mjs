#!/usr/bin/env node
// Queries per second that network-service's embedded DNS server answers on
// loopback: container-name lookups (A, answered from the name table) and,
// for scale, the same load against a bare UDP echo of a fixed reply (what
// node:dgram alone allows on this machine). The server runs in a child
// process, so the load generator does not share its event loop.
// Usage: node scripts/bench/dns-server.mjs [seconds=5] [window=64] [rounds=3]
//   (after `pnpm build`; loopback only, a random 127.0.0.x and high port).
//   Rounds alternate the two servers and the median is given, as the machine
//   is shared and its load moves.
// Against another server (dockerd's embedded DNS from inside a container's
// namespace via `nsenter --net=/proc/PID/ns/net`, or Berth's from one):
//   node scripts/bench/dns-server.mjs --against IP[:PORT] NAME [seconds] [window]
//   asks NAME (A) as fast as it answers, from the namespace's own address.
// Through a veth, as a container asks (root; makes and removes its own
// namespace and veth pair in 10.62.x.x):
//   node scripts/bench/dns-server.mjs --netns [seconds] [window] [rounds]
// Env: BENCH_KIND=echo (--netns: the bare echo instead of the server);
// BENCH_SOURCE=table|store|store-cached (where names come from: a Map,
// network-service's SQLite endpoint table, or that table behind the cache
// network-service puts in front of it); BENCH_ENDPOINTS=N containers.
import { execFileSync, fork } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dnsDist = path.join(repo, 'apps/network-service/dist/dns');
const { encodeQuery, parseReply, TYPE_A } = require(path.join(dnsDist, 'dns-message.js'));

// The client's address: the network's .2, as the first container on it gets.
const CLIENT = process.env.BENCH_CLIENT ?? '127.0.0.2';
// Where the names come from: "table" (a Map: the server alone), "store"
// (network-service's SQLite endpoint table and StoreNameSource) or
// "store-cached" (the same behind CachedNameSource, as network-service wires it).
const SOURCE = process.env.BENCH_SOURCE ?? 'table';
// Containers on the client's network, named c0 (the client) .. c<N-1>.
const NAMES = Number(process.env.BENCH_ENDPOINTS ?? (SOURCE === 'table' ? 200 : 10));

/** A table in a Map: what the server costs without any name source behind it. */
function mapSource() {
  const table = new Map();
  for (let i = 0; i < NAMES; i++) table.set(`c${i}`, [`10.62.${i >> 8}.${(i & 255) + 1}`]);
  return {
    source: {
      lookup: (client, name) => (client === CLIENT ? table.get(name) ?? [] : undefined),
      reverse: () => undefined,
      upstreams: () => [],
    },
    generation: undefined,
  };
}

/** network-service's own endpoint table in a temporary SQLite file: one user network, the client its first container. */
async function storeSource() {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const dist = path.join(repo, 'apps/network-service/dist');
  const { NetworkStore } = require(path.join(dist, 'networks/network-store.js'));
  const { StoreNameSource } = require(path.join(dist, 'networks/store-name-source.js'));
  const { addressPlan } = require(path.join(dist, 'ipam/network-ipam.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-dns-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  process.on('SIGTERM', () => process.exit(0));
  const store = new NetworkStore(path.join(dir, 'network.db'));
  const prefix = CLIENT.split('.').slice(0, 3).join('.');
  const ipam = { subnet: `${prefix}.0/24`, ipRange: '', gateway: `${prefix}.1`, auxAddresses: {} };
  const spec = {
    name: 'benchnet', id: 'b'.repeat(64), driver: 'bridge', created: new Date().toISOString(), scope: 'local', internal: false, attachable: false,
    ingress: false, enableIpv4: true, enableIpv6: false, ipamDriver: 'default', ipamOptions: {}, options: {}, labels: {}, configOnly: false, configFrom: '', bridge: 'br-bench',
  };
  const network = store.createNetwork(spec, () => [ipam]);
  const plan = addressPlan(ipam);
  for (let i = 0; i < NAMES; i++) {
    const id = `${i.toString(16).padStart(4, '0')}${'c'.repeat(60)}`;
    store.addEndpoint(
      { containerId: id, networkId: network.id, containerName: `c${i}`, macAddress: '', hostVeth: '', endpointId: id, aliases: [], links: [], dnsNames: [`c${i}`, id.slice(0, 12)], requestedIpv4: '', driverOpts: {}, gwPriority: 0 },
      { plan, requested: '' },
    );
  }
  return { source: new StoreNameSource(store), generation: SOURCE === 'store-cached' ? () => store.changeStamp() : undefined };
}

async function serve(kind, address) {
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
  const { source, generation } = kind === 'dns' && SOURCE !== 'table' ? await storeSource() : mapSource();
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    try {
      if (kind === 'echo') {
        const fixed = Buffer.from(process.env.BENCH_ECHO_REPLY, 'hex');
        const socket = dgram.createSocket('udp4');
        await new Promise((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(port, address, resolve);
        });
        socket.on('message', (msg, rinfo) => {
          fixed[0] = msg[0];
          fixed[1] = msg[1];
          socket.send(fixed, rinfo.port, rinfo.address);
        });
      } else {
        const { EmbeddedDns } = require(path.join(dnsDist, 'embedded-dns.js'));
        const dns = new EmbeddedDns(source, quiet, { port, generation });
        await dns.listen(address);
      }
      process.send({ port });
      return;
    } catch (err) {
      if (err.code !== 'EADDRINUSE') throw err;
    }
  }
  throw new Error('no free port');
}

function startServer(kind, address, env = {}) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind, address], { env: { ...process.env, ...env }, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: m.port, address }));
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** Keeps `window` queries outstanding on one socket for `seconds`; counts answers. */
async function load(address, port, seconds, window, names = Array.from({ length: NAMES }, (_, i) => `c${i}`), from = CLIENT) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, from, resolve));
  const queries = names.map((name) => encodeQuery(0, name, TYPE_A));
  let answered = 0;
  let next = 0;
  let running = true;
  const send = () => {
    const q = queries[next++ % queries.length];
    q.writeUInt16BE(next & 0xffff, 0);
    socket.send(q, port, address);
  };
  socket.on('message', () => {
    answered++;
    if (running) send();
  });
  // A lost datagram would shrink the window for good: top it up every 50 ms.
  let lastAnswered = 0;
  const refill = setInterval(() => {
    if (answered === lastAnswered) for (let i = 0; i < window; i++) send();
    lastAnswered = answered;
  }, 50);
  const warm = 1000;
  for (let i = 0; i < window; i++) send();
  await new Promise((r) => setTimeout(r, warm));
  const start = answered;
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const done = answered - start;
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  running = false;
  clearInterval(refill);
  socket.close();
  return done / elapsed;
}

async function check(address, port) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, CLIENT, resolve));
  const reply = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reply')), 2000);
    socket.once('message', (m) => {
      clearTimeout(timer);
      resolve(parseReply(m));
    });
    socket.send(encodeQuery(7, 'c1', TYPE_A), port, address);
  });
  socket.close();
  if (reply.answers.length !== 1) throw new Error(`c1 did not resolve: ${JSON.stringify(reply)}`);
  return reply;
}

/** The reply to "c1 A" as the server encodes it: what the bare echo server sends back. */
function fixedReply() {
  const { DnsAnswerer } = require(path.join(dnsDist, 'dns-answerer.js'));
  const { parseQuery } = require(path.join(dnsDist, 'dns-message.js'));
  return new DnsAnswerer({ lookup: () => ['10.62.0.6'], reverse: () => undefined, upstreams: () => [] }).answer(parseQuery(encodeQuery(1, 'c1', TYPE_A)), CLIENT, 512);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const seconds = Number(process.argv[2] ?? 5);
  const window = Number(process.argv[3] ?? 64);
  const rounds = Number(process.argv[4] ?? 3);
  const address = `127.0.0.${10 + Math.floor(Math.random() * 200)}`;
  const fixed = fixedReply();
  const dns = await startServer('dns', address);
  const echo = await startServer('echo', `127.0.0.${Number(address.split('.')[3]) + 1}`, { BENCH_ECHO_REPLY: fixed.toString('hex') });
  const samples = { embeddedDns: [], bareDgramEcho: [] };
  try {
    await check(address, dns.port);
    for (let r = 0; r < rounds; r++) {
      samples.embeddedDns.push(Math.round(await load(address, dns.port, seconds, window)));
      samples.bareDgramEcho.push(Math.round(await load(echo.address, echo.port, seconds, window)));
    }
  } finally {
    dns.child.kill();
    echo.child.kill();
  }
  const result = { embeddedDns: median(samples.embeddedDns), bareDgramEcho: median(samples.bareDgramEcho) };
  console.log(JSON.stringify({ source: SOURCE, endpoints: NAMES, seconds, window, rounds, queriesPerSecond: result, samples, ratio: +(result.embeddedDns / result.bareDgramEcho).toFixed(2) }));
}

async function against() {
  const [target, name] = [process.argv[3], process.argv[4]];
  const seconds = Number(process.argv[5] ?? 5);
  const window = Number(process.argv[6] ?? 64);
  const [address, port = '53'] = target.split(':');
  const qps = await load(address, Number(port), seconds, window, [name], '0.0.0.0');
  console.log(JSON.stringify({ target, name, seconds, window, queriesPerSecond: Math.round(qps) }));
}

/** The server on the host side of a veth pair, the load from a namespace on the other side. */
async function throughNetns() {
  const seconds = Number(process.argv[3] ?? 5);
  const window = Number(process.argv[4] ?? 64);
  const rounds = Number(process.argv[5] ?? 3);
  const tag = Math.random().toString(36).slice(2, 8);
  const ns = `bdns-${tag}`;
  const subnet = 200 + Math.floor(Math.random() * 50);
  const host = `10.62.${subnet}.1`;
  const inner = `10.62.${subnet}.2`; // the network's first container, as the store source expects
  const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let server;
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', `bdh${tag}`, 'type', 'veth', 'peer', 'name', `bdn${tag}`);
    ip('link', 'set', `bdn${tag}`, 'netns', ns);
    ip('addr', 'add', `${host}/24`, 'dev', `bdh${tag}`);
    ip('link', 'set', `bdh${tag}`, 'up');
    ip('-n', ns, 'addr', 'add', `${inner}/24`, 'dev', `bdn${tag}`);
    ip('-n', ns, 'link', 'set', `bdn${tag}`, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    server = await startServer(process.env.BENCH_KIND ?? 'dns', host, { BENCH_CLIENT: inner, BENCH_ECHO_REPLY: fixedReply().toString('hex') });
    const samples = [];
    if ((process.env.BENCH_KIND ?? 'dns') === 'dns') {
      // The answer must be right before it is counted: ask once from the namespace.
      const probe = execFileSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), '--probe', `${host}:${server.port}`, 'c1']);
      const reply = JSON.parse(probe.toString());
      if (reply.rcode !== 0 || reply.answers.length !== 1) throw new Error(`c1 did not resolve: ${probe}`);
    }
    for (let r = 0; r < rounds; r++) {
      const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), '--against', `${host}:${server.port}`, 'c1', String(seconds), String(window)]);
      samples.push(JSON.parse(out.toString()).queriesPerSecond);
    }
    console.log(JSON.stringify({ path: 'netns -> veth -> host address', server: process.env.BENCH_KIND ?? 'dns', source: SOURCE, endpoints: NAMES, seconds, window, rounds, queriesPerSecond: median(samples), samples }));
  } finally {
    server?.child.kill();
    try {
      ip('netns', 'del', ns); // takes the veth pair with it
    } catch {
      // never made
    }
    try {
      execFileSync('ip', ['link', 'del', `bdh${tag}`], { stdio: 'ignore' });
    } catch {
      // already gone with the namespace
    }
  }
}

/** One query from this namespace's address, the reply printed as JSON. */
async function probe() {
  const [address, port = '53'] = process.argv[3].split(':');
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, resolve));
  const reply = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reply')), 2000);
    socket.once('message', (m) => {
      clearTimeout(timer);
      resolve(parseReply(m));
    });
    socket.send(encodeQuery(7, process.argv[4], TYPE_A), Number(port), address);
  });
  socket.close();
  console.log(JSON.stringify(reply));
}

if (process.argv[2] === '--probe') {
  probe().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else if (process.argv[2] === '--netns') {
  throughNetns().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else if (process.argv[2] === '--against') {
  against().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else if (process.argv[2] === '--serve') {
  serve(process.argv[3], process.argv[4]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
