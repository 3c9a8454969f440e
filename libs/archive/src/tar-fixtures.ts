/** Helpers for this package's tests: temp dirs, tars built by hand, tree snapshots. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function tempDir(prefix = 'berth-archive-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface FixtureEntry {
  header: Partial<tar.Header> & { name: string };
  content?: string | Buffer;
}

/** A tar archive written by tar-stream, entry by entry as given (malicious ones included). */
export async function makeTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const out: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) out.push(chunk as Buffer);
  })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const content = e.content === undefined ? undefined : Buffer.from(e.content);
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (content) pack.entry({ mtime: new Date(1_000_000_000_000), ...e.header }, content, cb);
      else pack.entry({ mtime: new Date(1_000_000_000_000), ...e.header }, cb);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(out);
}

export function streamOf(buf: Buffer, chunkSize = 7919): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) chunks.push(buf.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Lists a tar: names, types, sizes, link names, modes, owners, mtimes, pax. */
export async function listTar(buf: Buffer): Promise<tar.Header[]> {
  const extract = tar.extract();
  const headers: tar.Header[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      headers.push(entry.header);
      for await (const _ of entry) { /* skip */ }
    }
  })();
  extract.end(buf);
  await done;
  return headers;
}

export interface NodeInfo {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size?: number;
  mtime?: number;
  link?: string;
  rdev?: number;
  content?: string;
}

/** Every path below `root` with what a round trip must preserve. */
export function snapshot(root: string, opts: { mtimes?: boolean } = {}): Record<string, NodeInfo> {
  const out: Record<string, NodeInfo> = {};
  const walk = (dir: string, rel: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(abs);
      const info: NodeInfo = {
        type: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink'
          : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : st.isFIFO() ? 'fifo' : 'other',
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
      };
      if (opts.mtimes !== false && !st.isSymbolicLink()) info.mtime = Math.floor(st.mtimeMs / 1000);
      if (st.isFile()) {
        info.size = st.size;
        info.content = fs.readFileSync(abs).toString('latin1');
      }
      if (st.isSymbolicLink()) info.link = fs.readlinkSync(abs);
      if (st.isCharacterDevice() || st.isBlockDevice()) info.rdev = st.rdev;
      out[r] = info;
      if (st.isDirectory()) walk(abs, r);
    }
  };
  walk(root, '');
  return out;
}

/**
 * A tree whose names need PAX or GNU long-name records (a 110-byte file name
 * below two 60-byte directories), with a file `ping` after them: where an
 * archive's records for one entry can go astray.
 */
export function longNameTree(src: string): void {
  const long = path.join(src, 'd'.repeat(60), 'e'.repeat(60));
  fs.mkdirSync(long, { recursive: true });
  fs.writeFileSync(path.join(long, `${'n'.repeat(110)}.txt`), 'long\n');
  fs.writeFileSync(path.join(src, 'ping'), 'binary');
}
