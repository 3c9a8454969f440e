import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DnsNameSource } from './name-source';
import { DnsAnswerer, FORWARD } from './dns-answerer';
import {
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
  RCODE_REFUSED,
  TYPE_A,
  TYPE_AAAA,
  TYPE_ANY,
  TYPE_NS,
  TYPE_PTR,
  encodeQuery,
  isParseFailure,
  parseQuery,
  parseReply,
  type DnsQuery,
} from './dns-message';

/** Two containers on net1 (web ×2 behind one alias, db), one alone on net2. */
class FakeSource implements DnsNameSource {
  readonly asked: Array<[string, string]> = [];
  private readonly net1: Record<string, string[]> = {
    web: ['10.62.0.2', '10.62.0.3', '10.62.0.4'],
    db: ['10.62.0.5'],
  };
  lookup(client: string, name: string): string[] | undefined {
    this.asked.push([client, name]);
    if (client.startsWith('10.62.0.')) return this.net1[name] ?? [];
    if (client === '10.62.9.2') return [];
    return undefined;
  }
  reverse(client: string, address: string): string | undefined {
    return client.startsWith('10.62.0.') && address === '10.62.0.5' ? 'db.net1' : undefined;
  }
  upstreams(): string[] {
    return ['127.0.0.1'];
  }
}

function q(name: string, type = TYPE_A, ednsUdpSize?: number): DnsQuery {
  const parsed = parseQuery(encodeQuery(42, name, type, { ednsUdpSize }));
  if (isParseFailure(parsed)) throw new Error('bad test query');
  return parsed;
}

function reply(answer: Buffer | typeof FORWARD) {
  assert.notEqual(answer, FORWARD, 'answered locally');
  return parseReply(answer as Buffer);
}

test('a client that is no container endpoint is refused, whatever it asks', () => {
  const a = new DnsAnswerer(new FakeSource());
  assert.equal(reply(a.answer(q('web'), '192.168.1.9', 512)).rcode, RCODE_REFUSED);
  assert.equal(reply(a.answer(q('example.com'), '192.168.1.9', 512)).rcode, RCODE_REFUSED);
  assert.equal(reply(a.answer(q('1.0.0.127.in-addr.arpa', TYPE_PTR), '192.168.1.9', 512)).rcode, RCODE_REFUSED);
});

test('a container name is answered with every address, TTL 600, from the table (lower case, no trailing dot)', () => {
  const source = new FakeSource();
  const a = new DnsAnswerer(source);
  const r = reply(a.answer(q('WEB.'), '10.62.0.5', 512));
  assert.equal(r.rcode, RCODE_NOERROR);
  assert.equal(r.id, 42);
  assert.deepEqual(r.answers.map((x) => x.data).sort(), ['10.62.0.2', '10.62.0.3', '10.62.0.4']);
  assert.ok(r.answers.every((x) => x.ttl === 600 && x.type === TYPE_A));
  assert.deepEqual(source.asked.at(-1), ['10.62.0.5', 'web']);
});

test('a shared alias is answered in a shuffled order each time (round-robin)', () => {
  const a = new DnsAnswerer(new FakeSource());
  const firsts = new Set<string>();
  for (let i = 0; i < 60; i++) firsts.add(reply(a.answer(q('web'), '10.62.0.5', 512)).answers[0].data);
  assert.deepEqual([...firsts].sort(), ['10.62.0.2', '10.62.0.3', '10.62.0.4']);
});

test('the shuffle leaves the name source’s array alone', () => {
  const source = new FakeSource();
  const a = new DnsAnswerer(source, () => 0);
  reply(a.answer(q('web'), '10.62.0.5', 512));
  assert.deepEqual(source.lookup('10.62.0.5', 'web'), ['10.62.0.2', '10.62.0.3', '10.62.0.4']);
});

test('ANY for a container name gives its A records', () => {
  const a = new DnsAnswerer(new FakeSource());
  assert.deepEqual(reply(a.answer(q('db', TYPE_ANY), '10.62.0.2', 512)).answers.map((x) => x.data), ['10.62.0.5']);
});

test('AAAA and other types for a container name: NOERROR without answers, not forwarded', () => {
  const a = new DnsAnswerer(new FakeSource());
  for (const type of [TYPE_AAAA, 15 /* MX */, 16 /* TXT */]) {
    const r = reply(a.answer(q('db', type), '10.62.0.2', 512));
    assert.equal(r.rcode, RCODE_NOERROR);
    assert.equal(r.answers.length, 0);
  }
});

test('PTR for a container address on a shared network is answered; any other PTR is forwarded', () => {
  const a = new DnsAnswerer(new FakeSource());
  const r = reply(a.answer(q('5.0.62.10.in-addr.arpa', TYPE_PTR), '10.62.0.2', 512));
  assert.deepEqual(r.answers.map((x) => [x.type, x.data, x.ttl]), [[TYPE_PTR, 'db.net1', 600]]);
  assert.equal(a.answer(q('9.0.62.10.in-addr.arpa', TYPE_PTR), '10.62.0.2', 512), FORWARD);
  assert.equal(a.answer(q('1.0.0.127.in-addr.arpa', TYPE_PTR), '10.62.9.2', 512), FORWARD);
  assert.equal(a.answer(q('1.0.0.0.ip6.arpa', TYPE_PTR), '10.62.0.2', 512), FORWARD);
});

test('an unknown single-label name is NXDOMAIN at once for A, AAAA and ANY', () => {
  const a = new DnsAnswerer(new FakeSource());
  for (const type of [TYPE_A, TYPE_AAAA, TYPE_ANY]) {
    assert.equal(reply(a.answer(q('nosuchcontainer', type), '10.62.0.2', 512)).rcode, RCODE_NXDOMAIN);
  }
  // A container on another network is no name here.
  assert.equal(reply(a.answer(q('web'), '10.62.9.2', 512)).rcode, RCODE_NXDOMAIN);
});

test('multi-label unknown names, a TLD’s NS, the root and other classes go upstream', () => {
  const a = new DnsAnswerer(new FakeSource());
  assert.equal(a.answer(q('example.com'), '10.62.0.2', 512), FORWARD);
  assert.equal(a.answer(q('com', TYPE_NS), '10.62.0.2', 512), FORWARD);
  assert.equal(a.answer(q('', TYPE_NS), '10.62.0.2', 512), FORWARD);
  const chaos = q('version.bind', 16);
  chaos.klass = 3;
  assert.equal(a.answer(chaos, '10.62.0.2', 512), FORWARD);
});

test('the UDP limit truncates a big alias, EDNS lifts it', () => {
  const many = Array.from({ length: 50 }, (_, i) => `10.62.2.${i + 1}`);
  const source: DnsNameSource = { lookup: () => many, reverse: () => undefined, upstreams: () => [] };
  const a = new DnsAnswerer(source);
  const small = reply(a.answer(q('scaled'), '10.62.2.1', 512));
  assert.equal(small.truncated, true);
  const big = reply(a.answer(q('scaled', TYPE_A, 4096), '10.62.2.1', 4096));
  assert.equal(big.truncated, false);
  assert.equal(big.answers.length, 50);
});
