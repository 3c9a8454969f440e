import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { Resolver } from 'node:dns/promises';
import type { Logger } from '@berth/logging';
import type { DnsNameSource } from './name-source';
import { EmbeddedDns } from './embedded-dns';
import {
  RCODE_NOERROR,
  RCODE_REFUSED,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_AAAA,
  encodeAReply,
  encodeEmptyReply,
  encodeQuery,
  isParseFailure,
  parseQuery,
  parseReply,
} from './dns-message';

// Addresses: the server, the upstream, a container client and a stranger,
// all on loopback (127.0.0.0/8 is local on Linux), picked at random so
// parallel runs do not meet.
const base = 2 + Math.floor(Math.random() * 30) * 8; // base..base+6 are this run's
const SERVER = `127.0.0.${base}`;
const UPSTREAM = `127.0.0.${base + 1}`;
const CONTAINER = `127.0.0.${base + 2}`;
const STRANGER = `127.0.0.${base + 3}`;

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

let upstreams: string[] = [];
const source: DnsNameSource = {
  lookup(client, name) {
    if (client !== CONTAINER) return undefined;
    if (name === 'web') return ['10.62.0.2', '10.62.0.3'];
    if (name === 'db' || name === 'db.net1') return ['10.62.0.5'];
    if (name === 'scaled') return Array.from({ length: 40 }, (_, i) => `10.62.1.${i + 1}`);
    return [];
  },
  reverse(client, address) {
    return client === CONTAINER && address === '10.62.0.5' ? 'db.net1' : undefined;
  },
  upstreams: () => upstreams,
};

/**
 * The test's own upstream resolver: example.test -> 192.0.2.1; big.example.test
 * 40 addresses, truncated over UDP, whole over TCP; servfail.example.test
 * SERVFAIL; silent.example.test never answered.
 */
class FakeUpstream {
  udp = dgram.createSocket('udp4');
  tcp = net.createServer();
  tcpQueries = 0;
  udpQueries = 0;

  async start(address: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.udp.once('error', reject);
      this.udp.bind(port, address, () => resolve());
    });
    await new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(port, address, () => resolve());
    });
    this.udp.on('message', (msg, rinfo) => {
      this.udpQueries++;
      const reply = this.answer(msg, 512);
      if (reply) this.udp.send(reply, rinfo.port, rinfo.address);
    });
    this.tcp.on('connection', (socket) => {
      this.tcpQueries++;
      socket.once('data', (data: Buffer) => {
        const reply = this.answer(data.subarray(2), 65535);
        if (!reply) return;
        const framed = Buffer.alloc(reply.length + 2);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.end(framed);
      });
    });
  }

  private answer(msg: Buffer, limit: number): Buffer | undefined {
    const q = parseQuery(msg);
    if (isParseFailure(q)) return undefined;
    if (q.name === 'silent.example.test') return undefined;
    if (q.name === 'servfail.example.test') return encodeEmptyReply(q, RCODE_SERVFAIL);
    if (q.name === 'big.example.test') {
      const many = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
      return encodeAReply(q, many, 60, limit);
    }
    if (q.name === 'example.test' && q.type === TYPE_A) return encodeAReply(q, ['192.0.2.1'], 60, limit);
    return encodeEmptyReply(q, 3);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }
}

let port = 0;
let dns: EmbeddedDns;
const upstream = new FakeUpstream();
let upstreamPort = 0;

async function freePortPair(address: string, start: (p: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = 20000 + Math.floor(Math.random() * 40000);
    try {
      await start(p);
      return p;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw new Error(`no free port on ${address}`);
}

function resolver(from = CONTAINER): Resolver {
  const r = new Resolver({ timeout: 3000, tries: 1 });
  r.setServers([`${SERVER}:${port}`]);
  r.setLocalAddress(from);
  return r;
}

/** One raw UDP exchange from the container address. */
async function udpQuery(packet: Buffer, from = CONTAINER): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no UDP reply')), 5000);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      socket.send(packet, port, SERVER);
    });
  } finally {
    socket.close();
  }
}

function frame(packet: Buffer): Buffer {
  const out = Buffer.alloc(packet.length + 2);
  out.writeUInt16BE(packet.length, 0);
  packet.copy(out, 2);
  return out;
}

/** Connects over TCP from the container address and collects `count` framed replies. */
function tcpExchange(chunks: Buffer[], count: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: SERVER, port, localAddress: CONTAINER });
    const replies: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${replies.length} of ${count} TCP replies`));
    }, 5000);
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const c of chunks) {
        socket.write(c);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    socket.on('data', (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      while (buffered.length >= 2 && buffered.length >= buffered.readUInt16BE(0) + 2) {
        replies.push(buffered.subarray(2, buffered.readUInt16BE(0) + 2));
        buffered = buffered.subarray(buffered.readUInt16BE(0) + 2);
      }
      if (replies.length === count) {
        clearTimeout(timer);
        socket.destroy();
        resolve(replies);
      }
    });
  });
}

before(async () => {
  upstreamPort = await freePortPair(UPSTREAM, async (p) => {
    upstream.udp = dgram.createSocket('udp4');
    upstream.tcp = net.createServer();
    try {
      await upstream.start(UPSTREAM, p);
    } catch (err) {
      await upstream.stop().catch(() => undefined);
      throw err;
    }
  });
  upstreams = [`${UPSTREAM}:${upstreamPort}`];
  port = await freePortPair(SERVER, async (p) => {
    const candidate = new EmbeddedDns(source, quiet, { port: p, forwardTimeoutMs: 1500, tcpIdleMs: 300 });
    try {
      await candidate.listen(SERVER);
      dns = candidate;
    } catch (err) {
      await candidate.close();
      throw err;
    }
  });
});

after(async () => {
  await dns?.close();
  await upstream.stop();
});

test('container names resolve through a real resolver (A, both addresses of a shared name)', async () => {
  assert.deepEqual((await resolver().resolve4('web')).sort(), ['10.62.0.2', '10.62.0.3']);
  assert.deepEqual(await resolver().resolve4('db.net1'), ['10.62.0.5']);
  const withTtl = await resolver().resolve4('db', { ttl: true });
  assert.deepEqual(withTtl, [{ address: '10.62.0.5', ttl: 600 }]);
});

test('a shared name too big for UDP is truncated, and the resolver gets it all over TCP', async () => {
  assert.equal(parseReply(await udpQuery(encodeQuery(4, 'scaled', TYPE_A))).truncated, true);
  assert.equal((await resolver().resolve4('scaled')).length, 40);
  const [reply] = await tcpExchange([frame(encodeQuery(5, 'scaled', TYPE_A))], 1);
  assert.equal(parseReply(reply).answers.length, 40);
});

test('PTR for a container address', async () => {
  assert.deepEqual(await resolver().reverse('10.62.0.5'), ['db.net1']);
});

test('an unknown container name fails with NXDOMAIN well within a second', async () => {
  const started = Date.now();
  await assert.rejects(resolver().resolve4('nosuchcontainer'), { code: 'ENOTFOUND' });
  assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
});

test('AAAA for a container name: no data, no error', async () => {
  const r = parseReply(await udpQuery(encodeQuery(5, 'web', TYPE_AAAA)));
  assert.equal(r.rcode, RCODE_NOERROR);
  assert.equal(r.answers.length, 0);
});

test('other names are forwarded to the upstream and its answer relayed', async () => {
  assert.deepEqual(await resolver().resolve4('example.test'), ['192.0.2.1']);
  const r = parseReply(await udpQuery(encodeQuery(0xabcd, 'example.test', TYPE_A)));
  assert.equal(r.id, 0xabcd);
  assert.equal(r.answers[0].ttl, 60, 'verbatim: the upstream TTL');
  await assert.rejects(resolver().resolve4('nosuch.example.test'), { code: 'ENOTFOUND' });
});

test('a truncated upstream reply is asked again over TCP', async () => {
  const before = upstream.tcpQueries;
  const r = parseReply(await udpQuery(encodeQuery(9, 'big.example.test', TYPE_A, { ednsUdpSize: 4096 })));
  assert.equal(r.truncated, false);
  assert.equal(r.answers.length, 40);
  assert.ok(upstream.tcpQueries > before);
  // Without EDNS the client gets the truncated reply and comes back over TCP itself.
  assert.equal(parseReply(await udpQuery(encodeQuery(10, 'big.example.test', TYPE_A))).truncated, true);
  assert.equal((await resolver().resolve4('big.example.test')).length, 40);
});

test('SERVFAIL from one upstream moves on to the next; none reachable gives SERVFAIL', async () => {
  const saved = upstreams;
  try {
    upstreams = ['127.0.0.1:1', `${UPSTREAM}:${upstreamPort}`];
    assert.deepEqual(await resolver().resolve4('example.test'), ['192.0.2.1']);
    upstreams = ['127.0.0.1:1'];
    let started = Date.now();
    assert.equal(parseReply(await udpQuery(encodeQuery(11, 'example.test', TYPE_A))).rcode, RCODE_SERVFAIL);
    assert.ok(Date.now() - started < 1000, 'a refused port ends the wait at once');
    upstreams = [`${UPSTREAM}:${upstreamPort}`];
    started = Date.now();
    assert.equal(parseReply(await udpQuery(encodeQuery(12, 'silent.example.test', TYPE_A))).rcode, RCODE_SERVFAIL);
    assert.ok(Date.now() - started >= 1400, 'a silent upstream is waited for up to the timeout');
    assert.equal(parseReply(await udpQuery(encodeQuery(13, 'servfail.example.test', TYPE_A))).rcode, RCODE_SERVFAIL);
    upstreams = [];
    assert.equal(parseReply(await udpQuery(encodeQuery(14, 'example.test', TYPE_A))).rcode, RCODE_SERVFAIL);
  } finally {
    upstreams = saved;
  }
});

test('a client that is no container is refused, for container names and forwarded names alike', async () => {
  await assert.rejects(resolver(STRANGER).resolve4('web'), { code: 'EREFUSED' });
  await assert.rejects(resolver(STRANGER).resolve4('example.test'), { code: 'EREFUSED' });
  assert.equal(parseReply(await udpQuery(encodeQuery(15, 'web', TYPE_A), STRANGER)).rcode, RCODE_REFUSED);
});

test('TCP: several queries on one connection, split and joined frames', async () => {
  const a = frame(encodeQuery(21, 'web', TYPE_A));
  const b = frame(encodeQuery(22, 'nosuchcontainer', TYPE_A));
  const c = frame(encodeQuery(23, 'example.test', TYPE_A));
  const joined = Buffer.concat([a, b, c]);
  const replies = await tcpExchange([joined.subarray(0, 5), joined.subarray(5, a.length + 3), joined.subarray(a.length + 3)], 3);
  const byId = new Map(replies.map((r) => [parseReply(r).id, parseReply(r)]));
  assert.equal(byId.get(21)?.answers.length, 2);
  assert.equal(byId.get(22)?.rcode, 3);
  assert.deepEqual(byId.get(23)?.answers.map((x) => x.data), ['192.0.2.1']);
});

test('TCP: an idle connection is closed by the server', async () => {
  const socket = net.connect({ host: SERVER, port, localAddress: CONTAINER });
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve());
    socket.on('error', reject);
    setTimeout(() => reject(new Error('still open')), 3000);
  });
  assert.ok(Date.now() - started >= 250);
});

test('fuzz: garbage over UDP and TCP never takes the server down', async () => {
  const sender = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sender.bind(0, CONTAINER, () => resolve()));
  const valid = encodeQuery(31, 'web', TYPE_A);
  for (let i = 0; i < 3000; i++) {
    let packet: Buffer;
    if (i % 2 === 0) {
      packet = Buffer.alloc(Math.floor(Math.random() * 64));
      for (let j = 0; j < packet.length; j++) packet[j] = Math.floor(Math.random() * 256);
    } else {
      packet = Buffer.from(valid.subarray(0, Math.floor(Math.random() * valid.length)));
      if (packet.length > 0) packet[Math.floor(Math.random() * packet.length)] ^= 0xff;
    }
    sender.send(packet, port, SERVER);
  }
  sender.close();
  // Garbage over TCP, a frame that claims more than it sends, then a hang-up.
  await new Promise<void>((resolve) => {
    const socket = net.connect({ host: SERVER, port, localAddress: CONTAINER }, () => {
      socket.end(Buffer.concat([frame(Buffer.from([1, 2, 3])), frame(Buffer.alloc(40, 0xff)), Buffer.from([0xff, 0xff, 1, 2])]));
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  assert.deepEqual((await resolver().resolve4('web')).sort(), ['10.62.0.2', '10.62.0.3']);
  const replies = await tcpExchange([frame(valid)], 1);
  assert.equal(parseReply(replies[0]).answers.length, 2);
});

test('listen is idempotent, several addresses at once, unlisten frees the address', async () => {
  const second = `127.0.0.${base + 4}`;
  await dns.listen(SERVER);
  await Promise.all([dns.listen(second), dns.listen(second)]);
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`${second}:${port}`]);
  r.setLocalAddress(CONTAINER);
  assert.deepEqual(await r.resolve4('db'), ['10.62.0.5']);
  await dns.unlisten(second);
  await dns.unlisten(second);
  // The port is free again on that address: bind it ourselves.
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.bind(port, second, () => resolve());
  });
  probe.close();
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, second, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a bind that fails rejects listen and leaves nothing behind', async () => {
  const blocker = dgram.createSocket('udp4');
  const third = `127.0.0.${base + 5}`;
  await new Promise<void>((resolve) => blocker.bind(port, third, () => resolve()));
  try {
    await assert.rejects(dns.listen(third), { code: 'EADDRINUSE' });
  } finally {
    blocker.close();
  }
  // Once the blocker is gone, the same address listens.
  await dns.listen(third);
  await dns.unlisten(third);
});

test('listen right after unlisten of the same address, and over again, ends listening', async () => {
  const fourth = `127.0.0.${base + 6}`;
  for (let i = 0; i < 5; i++) {
    await dns.listen(fourth);
    const closing = dns.unlisten(fourth);
    await dns.listen(fourth);
    await closing;
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`${fourth}:${port}`]);
    r.setLocalAddress(CONTAINER);
    assert.deepEqual(await r.resolve4('db'), ['10.62.0.5']);
    await dns.unlisten(fourth);
  }
});

test('with a generation token the table is read once per name until the token changes', async () => {
  const fifth = `127.0.0.${base + 7}`;
  let generation = 1;
  let reads = 0;
  let answer = ['10.62.0.7'];
  const counting: DnsNameSource = {
    lookup(client, name) {
      reads++;
      return client === CONTAINER && name === 'svc' ? answer : [];
    },
    reverse: () => undefined,
    upstreams: () => [],
  };
  const cached = new EmbeddedDns(counting, quiet, { port, generation: () => generation });
  try {
    await cached.listen(fifth);
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`${fifth}:${port}`]);
    r.setLocalAddress(CONTAINER);
    assert.deepEqual(await r.resolve4('svc'), ['10.62.0.7']);
    assert.deepEqual(await r.resolve4('svc'), ['10.62.0.7']);
    assert.equal(reads, 1);
    answer = ['10.62.0.8'];
    generation++;
    assert.deepEqual(await r.resolve4('svc'), ['10.62.0.8']);
    assert.equal(reads, 2);
  } finally {
    await cached.close();
  }
});
