import { Transform, type TransformCallback } from 'node:stream';

/** PAX records by key; values stay bytes, since xattr values are binary. */
export type PaxRecords = Map<string, Buffer>;

export const PAX_XATTR_PREFIX = 'SCHILY.xattr.';

/** Parses `"<len> <key>=<value>\n"` records without decoding values. */
export function decodePaxRecords(buf: Buffer): PaxRecords {
  const records: PaxRecords = new Map();
  let rest = buf;
  while (rest.length > 0) {
    const space = rest.indexOf(0x20);
    if (space <= 0) break;
    const length = parseInt(rest.subarray(0, space).toString('latin1'), 10);
    if (!Number.isInteger(length) || length <= space + 1 || length > rest.length) break;
    const record = rest.subarray(space + 1, length - 1);
    const eq = record.indexOf(0x3d);
    if (eq < 0) break;
    records.set(record.subarray(0, eq).toString('utf8'), Buffer.from(record.subarray(eq + 1)));
    rest = rest.subarray(length);
  }
  return records;
}

/** Encodes records; the length prefix counts itself, in bytes. */
export function encodePaxRecords(records: Iterable<[string, Buffer | string]>): Buffer {
  const out: Buffer[] = [];
  for (const [key, value] of records) {
    const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\n')]);
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    out.push(Buffer.from(String(length)), body);
  }
  return Buffer.concat(out);
}

/** A tar numeric field: octal text, or base-256 when the high bit is set. */
export function decodeNumeric(field: Buffer): number {
  if ((field[0]! & 0x80) !== 0) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return field[0] === 0xff ? -value : value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum;
}

const TYPE_PAX = 0x78; // 'x'
const TYPE_PAX_GLOBAL = 0x67; // 'g'
const TYPE_DIR = 0x35; // '5'
const TYPE_FILE = 0x30; // '0'
const MAX_PAX_SIZE = 4 * 1024 * 1024;

/**
 * Walks the tar byte stream beside tar-stream to keep each entry's PAX records
 * as bytes: tar-stream decodes them as UTF-8, which mangles binary xattr values
 * such as `security.capability`. Records are keyed by the byte offset of the
 * entry's own header, which tar-stream reports as `entry.offset`. It follows
 * tar-stream's reading rules (PAX `size` overrides, directories carry no data)
 * so both agree on where each header is; if they ever disagreed, lookups would
 * simply find nothing.
 */
export class PaxScanner extends Transform {
  private readonly records = new Map<number, PaxRecords>();
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private offset = 0;
  /** What the next bytes are: a header, data to keep, or data to skip. */
  private state: { kind: 'header' } | { kind: 'collect'; type: number; size: number; padding: number } | { kind: 'skip'; remaining: number } = { kind: 'header' };
  private localPax: PaxRecords | null = null;
  private globalPax: PaxRecords | null = null;
  private broken = false;

  /** The PAX records that apply to the entry whose header starts at `headerOffset`. */
  recordsFor(headerOffset: number): PaxRecords | undefined {
    const r = this.records.get(headerOffset);
    this.records.delete(headerOffset);
    return r;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.broken) this.scan(chunk);
    callback(null, chunk);
  }

  private scan(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0 && !this.broken) {
      const state = this.state;
      if (state.kind === 'skip') {
        const n = Math.min(state.remaining, data.length);
        state.remaining -= n;
        this.offset += n;
        data = data.subarray(n);
        if (state.remaining === 0) this.state = { kind: 'header' };
        continue;
      }
      const need = state.kind === 'header' ? 512 : state.size;
      const n = Math.min(need - this.pendingLength, data.length);
      this.pending.push(data.subarray(0, n));
      this.pendingLength += n;
      data = data.subarray(n);
      if (this.pendingLength < need) continue;
      const block = Buffer.concat(this.pending);
      const start = this.offset;
      this.offset += block.length;
      this.pending = [];
      this.pendingLength = 0;
      if (state.kind === 'header') this.onHeader(block, start);
      else this.onCollected(state.type, block, state.padding);
    }
  }

  private onHeader(block: Buffer, start: number): void {
    const sum = checksum(block);
    if (sum === 8 * 32) return; // an all-zero block: end-of-archive padding
    if (sum !== decodeNumeric(block.subarray(148, 156))) {
      this.broken = true; // tar-stream rejects the archive itself
      return;
    }
    const type = block[156]!;
    const size = decodeNumeric(block.subarray(124, 136));
    if (!(size >= 0)) {
      this.broken = true;
      return;
    }
    const padding = (512 - (size % 512)) % 512;
    if (type === TYPE_PAX || type === TYPE_PAX_GLOBAL) {
      if (size > MAX_PAX_SIZE) {
        this.broken = true; // tar-stream refuses these too
        return;
      }
      if (size === 0) this.onCollected(type, Buffer.alloc(0), 0);
      else this.state = { kind: 'collect', type, size, padding };
      return;
    }
    if (type === 0x4c || type === 0x4b) { // GNU long name / long link name
      this.skip(size + padding);
      return;
    }
    const local = this.localPax;
    this.localPax = null;
    let dataSize = size;
    if (local) {
      this.records.set(start, local);
      const merged = new Map([...(this.globalPax ?? []), ...local]);
      const paxSize = merged.get('size');
      if (paxSize !== undefined && parseInt(paxSize.toString('latin1'), 10)) dataSize = parseInt(paxSize.toString('latin1'), 10);
    }
    const nameEnd = block.indexOf(0);
    const lastNameByte = block[(nameEnd < 0 || nameEnd > 100 ? 100 : nameEnd) - 1];
    const isDir = type === TYPE_DIR || ((type === TYPE_FILE || type === 0) && lastNameByte === 0x2f);
    if (isDir || dataSize === 0) return;
    this.skip(dataSize + ((512 - (dataSize % 512)) % 512));
  }

  private onCollected(type: number, block: Buffer, padding: number): void {
    if (type === TYPE_PAX) this.localPax = decodePaxRecords(block);
    else this.globalPax = decodePaxRecords(block);
    this.skip(padding);
  }

  private skip(n: number): void {
    this.state = n > 0 ? { kind: 'skip', remaining: n } : { kind: 'header' };
  }
}
