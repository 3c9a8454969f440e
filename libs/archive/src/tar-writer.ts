import { PAX_XATTR_PREFIX, encodePaxRecords } from './pax';

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';

/** One tar entry's header as packDirectory emits it. */
export interface TarEntryHeader {
  /** Slash-separated, relative; directories end with `/`. */
  name: string;
  type: EntryType;
  /** Permission bits plus setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch; written whole, as Docker truncates mtimes. */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  uname?: string;
  gname?: string;
  /** Written as PAX `SCHILY.xattr.<name>` records, bytes kept as they are. */
  xattrs?: ReadonlyMap<string, Buffer>;
}

const TYPEFLAG: Readonly<Record<EntryType, string>> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

export const END_OF_ARCHIVE: Buffer = Buffer.alloc(1024);

/** Zero bytes that round a data section of `size` up to a 512-byte block. */
export function blockPadding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

function isAscii(s: string): boolean {
  return /^[\x01-\x7f]*$/.test(s);
}

/** Whether `value` fits `width - 1` octal digits (the last byte is NUL). */
function fitsOctal(value: number, width: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 8 ** (width - 1);
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'latin1');
}

/** GNU base-256: readers (Go, GNU tar, tar-stream) accept it where octal overflows. */
function writeBase256(block: Buffer, offset: number, width: number, value: number): void {
  let v = BigInt(Math.max(0, Math.floor(value)));
  for (let i = width - 1; i > 0; i--) {
    block[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[offset] = 0x80;
}

function writeNumber(block: Buffer, offset: number, width: number, value: number): void {
  if (fitsOctal(value, width)) writeOctal(block, offset, width, value);
  else writeBase256(block, offset, width, value);
}

function writeString(block: Buffer, offset: number, width: number, value: string): void {
  block.write(value, offset, width, 'utf8');
}

/** Splits a long name into ustar's prefix (155) and name (100), or undefined when impossible. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) > 155) break;
    if (rest !== '' && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  return undefined;
}

function ustarBlock(h: {
  name: string; prefix: string; mode: number; uid: number; gid: number; size: number; mtime: number;
  typeflag: string; linkname: string; uname: string; gname: string; devmajor: number; devminor: number;
}): Buffer {
  const block = Buffer.alloc(512);
  writeString(block, 0, 100, h.name);
  writeOctal(block, 100, 8, h.mode & 0o7777);
  writeNumber(block, 108, 8, h.uid);
  writeNumber(block, 116, 8, h.gid);
  writeNumber(block, 124, 12, h.size);
  writeNumber(block, 136, 12, h.mtime);
  block.write(h.typeflag, 156, 1, 'latin1');
  writeString(block, 157, 100, h.linkname);
  block.write('ustar\x0000', 257, 8, 'latin1');
  writeString(block, 265, 32, h.uname);
  writeString(block, 297, 32, h.gname);
  writeOctal(block, 329, 8, h.devmajor);
  writeOctal(block, 337, 8, h.devminor);
  writeString(block, 345, 155, h.prefix);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

/** Keeps what fits of `s` in `bytes` bytes of ASCII: the visible fallback when PAX carries the real text. */
function asciiFallback(s: string, bytes: number): string {
  return s.replace(/[^\x01-\x7f]/g, '_').slice(0, bytes);
}

/**
 * The header blocks for one entry: a PAX extended header first when the entry
 * needs one (long or non-ASCII names, big ids or sizes, xattrs), then the
 * ustar header. The caller writes the data and `blockPadding(size)` after it.
 */
export function encodeTarHeader(h: TarEntryHeader): Buffer {
  const pax: Array<[string, Buffer | string]> = [];
  const split = isAscii(h.name) ? splitUstarName(h.name) : undefined;
  let ustarName = split?.name ?? asciiFallback(h.name, 100);
  const prefix = split?.prefix ?? '';
  if (!split) pax.push(['path', h.name]);
  const linkname = h.linkname ?? '';
  let ustarLink = linkname;
  if (!isAscii(linkname) || Buffer.byteLength(linkname) > 100) {
    pax.push(['linkpath', linkname]);
    ustarLink = asciiFallback(linkname, 100);
  }
  if (!fitsOctal(h.uid, 8)) pax.push(['uid', String(h.uid)]);
  if (!fitsOctal(h.gid, 8)) pax.push(['gid', String(h.gid)]);
  if (!fitsOctal(h.size, 12)) pax.push(['size', String(h.size)]);
  const uname = h.uname ?? '';
  const gname = h.gname ?? '';
  if (!isAscii(uname) || Buffer.byteLength(uname) > 32) pax.push(['uname', uname]);
  if (!isAscii(gname) || Buffer.byteLength(gname) > 32) pax.push(['gname', gname]);
  for (const [key, value] of [...(h.xattrs ?? new Map<string, Buffer>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    pax.push([PAX_XATTR_PREFIX + key, value]);
  }
  const mtime = Math.max(0, Math.floor(h.mtime));
  const typeflag = TYPEFLAG[h.type];
  const main = ustarBlock({
    name: ustarName, prefix, mode: h.mode, uid: h.uid, gid: h.gid,
    size: h.type === 'file' ? h.size : 0, mtime, typeflag, linkname: ustarLink,
    uname: asciiFallback(uname, 32), gname: asciiFallback(gname, 32),
    devmajor: h.devmajor ?? 0, devminor: h.devminor ?? 0,
  });
  if (pax.length === 0) return main;
  const records = encodePaxRecords(pax);
  const base = h.name.replace(/\/+$/, '').split('/').pop() ?? '';
  ustarName = asciiFallback(`PaxHeaders.0/${base}`, 100);
  const paxHeader = ustarBlock({
    name: ustarName, prefix: '', mode: 0o644, uid: 0, gid: 0, size: records.length, mtime,
    typeflag: 'x', linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0,
  });
  return Buffer.concat([paxHeader, records, blockPadding(records.length), main]);
}
