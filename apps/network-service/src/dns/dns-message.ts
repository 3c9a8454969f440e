/**
 * The DNS wire format (RFC 1035, EDNS from RFC 6891) as far as the embedded
 * server needs it: queries are parsed, replies are encoded. Parsing never
 * throws: a packet that is not a well-formed query gives a ParseFailure that
 * says whether a FORMERR can still be sent (enough header to carry the id).
 */

export const TYPE_A = 1;
export const TYPE_NS = 2;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;
export const TYPE_OPT = 41;
export const TYPE_ANY = 255;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;

export const HEADER_LENGTH = 12;
/** A reply over UDP to a client without EDNS may be at most this long (RFC 1035 4.2.1). */
export const CLASSIC_UDP_LIMIT = 512;
/** The UDP payload size the server announces and honours at most in EDNS. */
export const SERVER_UDP_LIMIT = 4096;

const FLAG_QR = 0x8000;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const OPCODE_MASK = 0x7800;
const MAX_NAME_LENGTH = 255;
/** The fixed part of an A answer: name pointer, type, class, ttl, rdlength, 4 address bytes. */
const A_RECORD_LENGTH = 16;
/** The OPT pseudo-record the server adds: root name, type, class (size), ttl, rdlength 0. */
const OPT_RECORD_LENGTH = 11;

export interface DnsQuery {
  id: number;
  /** The header's second word as the client sent it (opcode and RD are echoed). */
  flags: number;
  /** The question name lower-cased, dotted, without trailing dot; "" for the root. */
  name: string;
  type: number;
  klass: number;
  /** The question section (name, type, class) as it goes back into the reply, the client's spelling kept. */
  question: Buffer;
  /** The client's EDNS UDP payload size, or undefined when the query had no OPT record. */
  ednsUdpSize: number | undefined;
}

export interface ParseFailure {
  /** The id to answer FORMERR/NOTIMP with, or undefined when nothing should be answered (too short, or a reply). */
  id: number | undefined;
  flags: number;
  rcode: number;
}

export function isParseFailure(q: DnsQuery | ParseFailure): q is ParseFailure {
  return (q as DnsQuery).question === undefined;
}

/** The longest reply the client accepts over UDP. */
export function udpLimit(query: DnsQuery): number {
  if (query.ednsUdpSize === undefined) return CLASSIC_UDP_LIMIT;
  return Math.min(SERVER_UDP_LIMIT, Math.max(CLASSIC_UDP_LIMIT, query.ednsUdpSize));
}

/**
 * Reads a (possibly compressed) name starting at `offset`. Returns the
 * lower-cased dotted name and where the name ends in the packet (after the
 * first pointer, if any), or undefined when it is malformed: out of bounds,
 * pointer loops (each pointer must go backwards), label types 0x40/0x80, or
 * over 255 bytes.
 */
export function readName(buf: Buffer, offset: number): { name: string; end: number; compressed: boolean } | undefined {
  let name = '';
  let wire = 1; // the root byte
  let pos = offset;
  let end = -1;
  let lowest = offset; // pointers must point before every position seen so far
  for (;;) {
    if (pos >= buf.length) return undefined;
    const len = buf[pos];
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name, end, compressed: end !== pos + 1 };
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) return undefined;
      const target = ((len & 0x3f) << 8) | buf[pos + 1];
      if (end < 0) end = pos + 2;
      if (target >= lowest) return undefined;
      lowest = target;
      pos = target;
      continue;
    }
    if (kind !== 0) return undefined;
    const start = pos + 1;
    const stop = start + len;
    if (stop > buf.length) return undefined;
    wire += len + 1;
    if (wire > MAX_NAME_LENGTH) return undefined;
    let label = buf.toString('latin1', start, stop).toLowerCase();
    // A dot inside a label cannot be told from a label boundary in the dotted
    // form: escape it, so it never matches a container name by accident.
    if (label.includes('.')) label = label.replace(/\./g, '\\.');
    name = name === '' ? label : `${name}.${label}`;
    pos = stop;
  }
}

/** Skips a resource record at `offset`; returns its type, class, ttl and where it ends, or undefined if malformed. */
function readRecordHead(buf: Buffer, offset: number): { type: number; klass: number; ttl: number; end: number } | undefined {
  const name = readName(buf, offset);
  if (!name) return undefined;
  const p = name.end;
  if (p + 10 > buf.length) return undefined;
  const rdlength = buf.readUInt16BE(p + 8);
  const end = p + 10 + rdlength;
  if (end > buf.length) return undefined;
  return { type: buf.readUInt16BE(p), klass: buf.readUInt16BE(p + 2), ttl: buf.readUInt32BE(p + 4), end };
}

/** Parses a query: exactly one question, opcode QUERY; other records skipped except the OPT, which is read. */
export function parseQuery(buf: Buffer): DnsQuery | ParseFailure {
  if (buf.length < HEADER_LENGTH) return { id: undefined, flags: 0, rcode: RCODE_FORMERR };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  // Never answer a reply: two servers would bounce packets between them.
  if (flags & FLAG_QR) return { id: undefined, flags, rcode: RCODE_FORMERR };
  if ((flags & OPCODE_MASK) !== 0) return { id, flags, rcode: RCODE_NOTIMP };
  const qdcount = buf.readUInt16BE(4);
  if (qdcount !== 1) return { id, flags, rcode: RCODE_FORMERR };
  const q = readName(buf, HEADER_LENGTH);
  if (!q || q.end + 4 > buf.length) return { id, flags, rcode: RCODE_FORMERR };
  const type = buf.readUInt16BE(q.end);
  const klass = buf.readUInt16BE(q.end + 2);
  const questionEnd = q.end + 4;
  const question = q.compressed ? encodeQuestion(q.name, type, klass) : buf.subarray(HEADER_LENGTH, questionEnd);
  if (!question) return { id, flags, rcode: RCODE_FORMERR };

  let ednsUdpSize: number | undefined;
  const others = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  let pos = questionEnd;
  for (let i = 0; i < others; i++) {
    const rr = readRecordHead(buf, pos);
    if (!rr) return { id, flags, rcode: RCODE_FORMERR };
    if (rr.type === TYPE_OPT) ednsUdpSize = rr.klass;
    pos = rr.end;
  }
  return { id, flags, name: q.name, type, klass, question, ednsUdpSize };
}

/** Wire form of a dotted name (no trailing dot needed), or undefined if a label is empty or too long, or the name too long. */
export function encodeName(name: string): Buffer | undefined {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.');
  let size = 1;
  for (const l of labels) {
    const n = Buffer.byteLength(l, 'latin1');
    if (n === 0 || n > 63) return undefined;
    size += n + 1;
  }
  if (size > MAX_NAME_LENGTH) return undefined;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const l of labels) {
    out[pos] = l.length;
    pos += out.write(l, pos + 1, 'latin1') + 1;
  }
  out[pos] = 0;
  return out;
}

function encodeQuestion(name: string, type: number, klass: number): Buffer | undefined {
  // A compressed question is re-encoded from the parsed name; an escaped dot
  // (see readName) cannot be written back, so such a question is refused.
  if (name.includes('\\')) return undefined;
  const wire = encodeName(name);
  if (!wire) return undefined;
  const out = Buffer.allocUnsafe(wire.length + 4);
  wire.copy(out, 0);
  out.writeUInt16BE(type, wire.length);
  out.writeUInt16BE(klass, wire.length + 2);
  return out;
}

function replyFlags(queryFlags: number, rcode: number, truncated: boolean): number {
  // QR, the client's opcode and RD echoed, RA set (the server recurses for the
  // client by forwarding), AA clear as dockerd's embedded server answers.
  return FLAG_QR | (queryFlags & (OPCODE_MASK | FLAG_RD)) | FLAG_RA | (truncated ? FLAG_TC : 0) | (rcode & 0xf);
}

function writeHeader(out: Buffer, query: DnsQuery, rcode: number, truncated: boolean, answers: number, opt: boolean): void {
  out.writeUInt16BE(query.id, 0);
  out.writeUInt16BE(replyFlags(query.flags, rcode, truncated), 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(answers, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(opt ? 1 : 0, 10);
}

function writeOpt(out: Buffer, pos: number): void {
  out[pos] = 0;
  out.writeUInt16BE(TYPE_OPT, pos + 1);
  out.writeUInt16BE(SERVER_UDP_LIMIT, pos + 3);
  out.writeUInt32BE(0, pos + 5);
  out.writeUInt16BE(0, pos + 9);
}

/** A reply without answers: NXDOMAIN, REFUSED, SERVFAIL, or NOERROR with no data. */
export function encodeEmptyReply(query: DnsQuery, rcode: number): Buffer {
  const opt = query.ednsUdpSize !== undefined;
  const out = Buffer.allocUnsafe(HEADER_LENGTH + query.question.length + (opt ? OPT_RECORD_LENGTH : 0));
  writeHeader(out, query, rcode, false, 0, opt);
  query.question.copy(out, HEADER_LENGTH);
  if (opt) writeOpt(out, HEADER_LENGTH + query.question.length);
  return out;
}

/** Dotted IPv4 into 4 bytes at `pos`; false when it is not one. */
function writeIPv4(out: Buffer, pos: number, address: string): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= address.length; i++) {
    const c = i === address.length ? 46 : address.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || value > 255 || part > 3) return false;
      out[pos + part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else {
      return false;
    }
  }
  return part === 4;
}

/**
 * A NOERROR reply with A records for `addresses` in the given order, all
 * named by a pointer to the question. When they do not fit `limit` (UDP),
 * as many as fit are kept and TC is set, so the client asks again over TCP.
 * Addresses that are not dotted IPv4 are skipped.
 */
export function encodeAReply(query: DnsQuery, addresses: readonly string[], ttl: number, limit: number): Buffer {
  const opt = query.ednsUdpSize !== undefined;
  const fixed = HEADER_LENGTH + query.question.length + (opt ? OPT_RECORD_LENGTH : 0);
  const room = Math.max(0, Math.floor((limit - fixed) / A_RECORD_LENGTH));
  const wanted = Math.min(addresses.length, 0xffff);
  const count = Math.min(wanted, room);
  const out = Buffer.allocUnsafe(fixed + count * A_RECORD_LENGTH);
  query.question.copy(out, HEADER_LENGTH);
  let pos = HEADER_LENGTH + query.question.length;
  let written = 0;
  for (let i = 0; i < count; i++) {
    out.writeUInt16BE(0xc000 | HEADER_LENGTH, pos);
    out.writeUInt16BE(TYPE_A, pos + 2);
    out.writeUInt16BE(CLASS_IN, pos + 4);
    out.writeUInt32BE(ttl, pos + 6);
    out.writeUInt16BE(4, pos + 10);
    if (!writeIPv4(out, pos + 12, addresses[i])) continue;
    pos += A_RECORD_LENGTH;
    written++;
  }
  if (opt) writeOpt(out, pos);
  const length = pos + (opt ? OPT_RECORD_LENGTH : 0);
  writeHeader(out, query, RCODE_NOERROR, count < wanted, written, opt);
  return length === out.length ? out : out.subarray(0, length);
}

/** A NOERROR reply with one PTR record naming `target`; undefined when `target` is not a valid domain name. */
export function encodePtrReply(query: DnsQuery, target: string, ttl: number): Buffer | undefined {
  const rdata = encodeName(target);
  if (!rdata) return undefined;
  const opt = query.ednsUdpSize !== undefined;
  const out = Buffer.allocUnsafe(HEADER_LENGTH + query.question.length + 12 + rdata.length + (opt ? OPT_RECORD_LENGTH : 0));
  writeHeader(out, query, RCODE_NOERROR, false, 1, opt);
  query.question.copy(out, HEADER_LENGTH);
  let pos = HEADER_LENGTH + query.question.length;
  out.writeUInt16BE(0xc000 | HEADER_LENGTH, pos);
  out.writeUInt16BE(TYPE_PTR, pos + 2);
  out.writeUInt16BE(CLASS_IN, pos + 4);
  out.writeUInt32BE(ttl, pos + 6);
  out.writeUInt16BE(rdata.length, pos + 10);
  rdata.copy(out, pos + 12);
  pos += 12 + rdata.length;
  if (opt) writeOpt(out, pos);
  return out;
}

/** A header-only error reply (FORMERR, NOTIMP) for a packet that did not parse as a query. */
export function encodeFailure(failure: ParseFailure & { id: number }): Buffer {
  const out = Buffer.alloc(HEADER_LENGTH);
  out.writeUInt16BE(failure.id, 0);
  out.writeUInt16BE(FLAG_QR | (failure.flags & (OPCODE_MASK | FLAG_RD)) | FLAG_RA | failure.rcode, 2);
  return out;
}

/** Whether a reply is a well-formed header with QR set and the given id. */
export function isReplyTo(buf: Buffer, id: number): boolean {
  return buf.length >= HEADER_LENGTH && buf.readUInt16BE(0) === id && (buf.readUInt16BE(2) & FLAG_QR) !== 0;
}

export function isTruncated(buf: Buffer): boolean {
  return buf.length >= HEADER_LENGTH && (buf.readUInt16BE(2) & FLAG_TC) !== 0;
}

export function rcodeOf(buf: Buffer): number {
  return buf.length >= HEADER_LENGTH ? buf.readUInt16BE(2) & 0xf : RCODE_FORMERR;
}

/** A copy of `buf` whose id is `id` (the upstream's reply relayed under the client's id, or the query under the forwarder's). */
export function withId(buf: Buffer, id: number): Buffer {
  const out = Buffer.from(buf);
  out.writeUInt16BE(id, 0);
  return out;
}

/** "4.3.2.1.in-addr.arpa" -> "1.2.3.4"; undefined for anything else. */
export function reverseIPv4(name: string): string | undefined {
  if (!name.endsWith('.in-addr.arpa')) return undefined;
  const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
  if (parts.length !== 4) return undefined;
  for (const p of parts) if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
  return `${parts[3]}.${parts[2]}.${parts[1]}.${parts[0]}`;
}

/** A query packet for `name` (the forwarder's tests, the benchmark, and probes). */
export function encodeQuery(id: number, name: string, type: number, options: { rd?: boolean; ednsUdpSize?: number } = {}): Buffer {
  const wire = encodeName(name);
  if (!wire) throw new Error(`not a domain name: ${name}`);
  const opt = options.ednsUdpSize !== undefined;
  const out = Buffer.alloc(HEADER_LENGTH + wire.length + 4 + (opt ? OPT_RECORD_LENGTH : 0));
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(options.rd === false ? 0 : FLAG_RD, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(opt ? 1 : 0, 10);
  wire.copy(out, HEADER_LENGTH);
  out.writeUInt16BE(type, HEADER_LENGTH + wire.length);
  out.writeUInt16BE(CLASS_IN, HEADER_LENGTH + wire.length + 2);
  if (opt) {
    const pos = HEADER_LENGTH + wire.length + 4;
    out[pos] = 0;
    out.writeUInt16BE(TYPE_OPT, pos + 1);
    out.writeUInt16BE(options.ednsUdpSize as number, pos + 3);
  }
  return out;
}

export interface ReplyRecord {
  name: string;
  type: number;
  ttl: number;
  /** Dotted IPv4 for A, the target name for PTR, hex otherwise. */
  data: string;
}

export interface ParsedReply {
  id: number;
  rcode: number;
  truncated: boolean;
  recursionAvailable: boolean;
  questionName: string;
  answers: ReplyRecord[];
  /** Whether the additional section carries an OPT record. */
  edns: boolean;
}

/** Reads a reply (tests, the benchmark); throws when it is malformed. */
export function parseReply(buf: Buffer): ParsedReply {
  if (buf.length < HEADER_LENGTH) throw new Error('short reply');
  const flags = buf.readUInt16BE(2);
  if (!(flags & FLAG_QR)) throw new Error('not a reply');
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  let pos = HEADER_LENGTH;
  let questionName = '';
  for (let i = 0; i < qd; i++) {
    const n = readName(buf, pos);
    if (!n || n.end + 4 > buf.length) throw new Error('bad question');
    questionName = n.name;
    pos = n.end + 4;
  }
  const answers: ReplyRecord[] = [];
  let edns = false;
  for (let i = 0; i < an + ns + ar; i++) {
    const n = readName(buf, pos);
    if (!n || n.end + 10 > buf.length) throw new Error('bad record');
    const type = buf.readUInt16BE(n.end);
    const ttl = buf.readUInt32BE(n.end + 4);
    const rdlength = buf.readUInt16BE(n.end + 8);
    const rdata = n.end + 10;
    if (rdata + rdlength > buf.length) throw new Error('bad rdata');
    if (i < an) {
      let data: string;
      if (type === TYPE_A && rdlength === 4) data = [...buf.subarray(rdata, rdata + 4)].join('.');
      else if (type === TYPE_PTR) data = readName(buf, rdata)?.name ?? '';
      else data = buf.toString('hex', rdata, rdata + rdlength);
      answers.push({ name: n.name, type, ttl, data });
    } else if (type === TYPE_OPT) {
      edns = true;
    }
    pos = rdata + rdlength;
  }
  return { id: buf.readUInt16BE(0), rcode: flags & 0xf, truncated: (flags & FLAG_TC) !== 0, recursionAvailable: (flags & FLAG_RA) !== 0, questionName, answers, edns };
}
