import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  CLASSIC_UDP_LIMIT,
  RCODE_FORMERR,
  RCODE_NOERROR,
  RCODE_NOTIMP,
  RCODE_NXDOMAIN,
  TYPE_A,
  TYPE_AAAA,
  TYPE_PTR,
  type DnsQuery,
  encodeAReply,
  encodeEmptyReply,
  encodeFailure,
  encodeName,
  encodePtrReply,
  encodeQuery,
  isParseFailure,
  parseQuery,
  parseReply,
  readName,
  reverseIPv4,
  udpLimit,
  withId,
} from './dns-message';

function query(buf: Buffer): DnsQuery {
  const q = parseQuery(buf);
  if (isParseFailure(q)) throw new Error(`parse failed: rcode ${q.rcode}`);
  return q;
}

test('a plain query: id, name lower-cased without trailing dot, type, the question kept as the client spelt it', () => {
  const buf = encodeQuery(0x1234, 'Web.Example.', TYPE_A);
  const q = query(buf);
  assert.equal(q.id, 0x1234);
  assert.equal(q.name, 'web.example');
  assert.equal(q.type, TYPE_A);
  assert.equal(q.klass, 1);
  assert.equal(q.ednsUdpSize, undefined);
  assert.deepEqual(q.question, buf.subarray(12));
  assert.equal(udpLimit(q), CLASSIC_UDP_LIMIT);
});

test('the root name parses as ""', () => {
  assert.equal(query(encodeQuery(1, '', TYPE_A)).name, '');
});

test('an EDNS OPT record is read for its UDP size, bounded to 512..4096', () => {
  assert.equal(query(encodeQuery(1, 'a', TYPE_A, { ednsUdpSize: 1232 })).ednsUdpSize, 1232);
  assert.equal(udpLimit(query(encodeQuery(1, 'a', TYPE_A, { ednsUdpSize: 1232 }))), 1232);
  assert.equal(udpLimit(query(encodeQuery(1, 'a', TYPE_A, { ednsUdpSize: 100 }))), 512);
  assert.equal(udpLimit(query(encodeQuery(1, 'a', TYPE_A, { ednsUdpSize: 65000 }))), 4096);
});

test('replies to an EDNS query carry a minimal OPT record, others none', () => {
  const withEdns = parseReply(encodeEmptyReply(query(encodeQuery(1, 'a', TYPE_A, { ednsUdpSize: 1232 })), RCODE_NXDOMAIN));
  assert.equal(withEdns.edns, true);
  assert.equal(withEdns.rcode, RCODE_NXDOMAIN);
  assert.equal(parseReply(encodeEmptyReply(query(encodeQuery(1, 'a', TYPE_A)), RCODE_NXDOMAIN)).edns, false);
});

test('not a query: a reply (QR) or a short packet gets no answer; another opcode NOTIMP; two questions FORMERR', () => {
  const reply = encodeEmptyReply(query(encodeQuery(7, 'a', TYPE_A)), RCODE_NOERROR);
  const r = parseQuery(reply);
  assert.ok(isParseFailure(r) && r.id === undefined);
  const short = parseQuery(Buffer.from([1, 2, 3]));
  assert.ok(isParseFailure(short) && short.id === undefined);

  const notify = encodeQuery(9, 'a', TYPE_A);
  notify.writeUInt16BE(4 << 11, 2);
  const n = parseQuery(notify);
  assert.ok(isParseFailure(n) && n.id === 9 && n.rcode === RCODE_NOTIMP);
  const failure = parseReply(encodeFailure({ ...n, id: 9 }));
  assert.equal(failure.rcode, RCODE_NOTIMP);
  assert.equal(failure.id, 9);

  const two = encodeQuery(10, 'a', TYPE_A);
  two.writeUInt16BE(2, 4);
  const t = parseQuery(two);
  assert.ok(isParseFailure(t) && t.id === 10 && t.rcode === RCODE_FORMERR);
});

test('compression pointers are followed on read; loops and forward pointers are refused', () => {
  // "b" at 0, then "a" + pointer to 0 at 3: "a.b"
  const buf = Buffer.from([1, 0x62, 0, 1, 0x61, 0xc0, 0x00]);
  assert.deepEqual(readName(buf, 3), { name: 'a.b', end: 7, compressed: true });
  assert.equal(readName(Buffer.from([0xc0, 0x00]), 0), undefined, 'a pointer to itself');
  assert.equal(readName(Buffer.from([0xc0, 0x02, 0]), 0), undefined, 'a forward pointer');
  assert.equal(readName(Buffer.from([1, 0x61, 0xc0, 0x00]), 2), undefined, 'a loop through an earlier label');
  assert.equal(readName(Buffer.from([0x40, 0]), 0), undefined, 'extended label type');
  assert.equal(readName(Buffer.from([5, 0x61]), 0), undefined, 'label past the end');
});

test('a compressed question is re-encoded for the reply', () => {
  // header, then question name = pointer to a name placed... before it is impossible,
  // so point into the header's id/flags bytes spelling a 1-byte label: id 0x0161 = [1, 'a'], flags 0x0000 ends it.
  const buf = Buffer.alloc(12 + 2 + 4);
  buf.writeUInt16BE(0x0161, 0);
  buf.writeUInt16BE(0, 2);
  buf.writeUInt16BE(1, 4);
  buf.writeUInt16BE(0xc000, 12);
  buf.writeUInt16BE(TYPE_A, 14);
  buf.writeUInt16BE(1, 16);
  const q = query(buf);
  assert.equal(q.name, 'a');
  assert.deepEqual(q.question, Buffer.from([1, 0x61, 0, 0, 1, 0, 1]));
});

test('names longer than 255 bytes are refused, on read and on write', () => {
  const long = Array.from({ length: 5 }, () => 'x'.repeat(60)).join('.');
  assert.equal(encodeName(long), undefined);
  assert.equal(encodeName('x'.repeat(64)), undefined);
  assert.equal(encodeName('a..b'), undefined);
  const ok = Array.from({ length: 4 }, () => 'x'.repeat(60)).join('.');
  assert.ok(encodeName(ok));
});

test('A replies: every address with TTL, named by a pointer to the question', () => {
  const q = query(encodeQuery(3, 'web', TYPE_A));
  const r = parseReply(encodeAReply(q, ['10.62.0.2', '10.62.0.3'], 600, 512));
  assert.equal(r.id, 3);
  assert.equal(r.rcode, RCODE_NOERROR);
  assert.equal(r.truncated, false);
  assert.equal(r.recursionAvailable, true);
  assert.deepEqual(r.answers, [
    { name: 'web', type: TYPE_A, ttl: 600, data: '10.62.0.2' },
    { name: 'web', type: TYPE_A, ttl: 600, data: '10.62.0.3' },
  ]);
});

test('an A reply too long for 512 bytes keeps what fits and sets TC; with EDNS all fit', () => {
  const addresses = Array.from({ length: 40 }, (_, i) => `10.62.1.${i + 1}`);
  const plain = encodeAReply(query(encodeQuery(3, 'many', TYPE_A)), addresses, 600, 512);
  assert.ok(plain.length <= 512);
  const r = parseReply(plain);
  assert.equal(r.truncated, true);
  assert.ok(r.answers.length > 0 && r.answers.length < 40);
  const q = query(encodeQuery(3, 'many', TYPE_A, { ednsUdpSize: 4096 }));
  const big = parseReply(encodeAReply(q, addresses, 600, udpLimit(q)));
  assert.equal(big.truncated, false);
  assert.equal(big.answers.length, 40);
  assert.equal(big.edns, true);
});

test('addresses that are not dotted IPv4 are left out of an A reply', () => {
  const r = parseReply(encodeAReply(query(encodeQuery(3, 'x', TYPE_A)), ['10.0.0.1', 'fd00::1', '300.1.1.1', '1.2.3', '10.0.0.2'], 600, 512));
  assert.deepEqual(r.answers.map((a) => a.data), ['10.0.0.1', '10.0.0.2']);
});

test('PTR replies name the target; an invalid target gives undefined', () => {
  const q = query(encodeQuery(4, '2.0.62.10.in-addr.arpa', TYPE_PTR));
  const r = parseReply(encodePtrReply(q, 'web.net1', 600) as Buffer);
  assert.deepEqual(r.answers, [{ name: '2.0.62.10.in-addr.arpa', type: TYPE_PTR, ttl: 600, data: 'web.net1' }]);
  assert.equal(encodePtrReply(q, 'x'.repeat(70), 600), undefined);
});

test('reverseIPv4 reads in-addr.arpa names only', () => {
  assert.equal(reverseIPv4('4.3.2.1.in-addr.arpa'), '1.2.3.4');
  assert.equal(reverseIPv4('3.2.1.in-addr.arpa'), undefined);
  assert.equal(reverseIPv4('256.3.2.1.in-addr.arpa'), undefined);
  assert.equal(reverseIPv4('04.3.2.1.in-addr.arpa'), undefined);
  assert.equal(reverseIPv4('4.3.2.1.ip6.arpa'), undefined);
  assert.equal(reverseIPv4('example.com'), undefined);
});

test('withId changes the id of a copy only', () => {
  const a = encodeQuery(1, 'a', TYPE_A);
  const b = withId(a, 0xbeef);
  assert.equal(a.readUInt16BE(0), 1);
  assert.equal(b.readUInt16BE(0), 0xbeef);
  assert.deepEqual(a.subarray(2), b.subarray(2));
});

/** A small deterministic PRNG, so a failing fuzz case can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whatever parses must also encode into a reply that parses back. */
function exercise(buf: Buffer): void {
  const q = parseQuery(buf);
  if (isParseFailure(q)) {
    if (q.id !== undefined) parseReply(encodeFailure({ ...q, id: q.id }));
    return;
  }
  parseReply(encodeEmptyReply(q, RCODE_NXDOMAIN));
  parseReply(encodeAReply(q, ['10.0.0.1', '10.0.0.2'], 600, udpLimit(q)));
  const ptr = encodePtrReply(q, 'name.net', 600);
  if (ptr) parseReply(ptr);
}

test('fuzz: random packets never throw out of the parser, and what parses encodes', () => {
  const rand = prng(1);
  for (let i = 0; i < 20000; i++) {
    const len = Math.floor(rand() * 80);
    const buf = Buffer.alloc(len);
    for (let j = 0; j < len; j++) buf[j] = Math.floor(rand() * 256);
    // Half of them with a plausible header, so the parser gets past it.
    if (len >= 12 && rand() < 0.5) {
      buf.writeUInt16BE(0x0100, 2);
      buf.writeUInt16BE(1, 4);
      buf.writeUInt16BE(0, 6);
      buf.writeUInt16BE(0, 8);
      buf.writeUInt16BE(Math.floor(rand() * 3), 10);
    }
    exercise(buf);
  }
});

test('fuzz: every truncation and random byte flips of valid queries never throw', () => {
  const rand = prng(2);
  const seeds = [
    encodeQuery(1, 'web', TYPE_A),
    encodeQuery(2, 'a.b.example.com', TYPE_AAAA, { ednsUdpSize: 1232 }),
    encodeQuery(3, '2.0.62.10.in-addr.arpa', TYPE_PTR),
  ];
  for (const seed of seeds) {
    for (let cut = 0; cut <= seed.length; cut++) exercise(seed.subarray(0, cut));
    for (let i = 0; i < 5000; i++) {
      const buf = Buffer.from(seed);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
      exercise(buf);
    }
  }
});
