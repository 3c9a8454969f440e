import { spawn } from 'node:child_process';
import { Duplex, PassThrough, Readable, pipeline } from 'node:stream';
import * as zlib from 'node:zlib';

import { InvalidArchiveError } from './errors';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC: ReadonlyArray<[Compression, Buffer]> = [
  ['gzip', Buffer.from([0x1f, 0x8b, 0x08])],
  ['bzip2', Buffer.from('BZh', 'latin1')],
  ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
];

/** The compression a stream starts with, from its magic bytes (as dockerd's DetectCompression). */
export function detectCompression(head: Buffer): Compression {
  for (const [name, magic] of MAGIC) {
    if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) return name;
  }
  return 'none';
}

/**
 * Node 20's zlib has no xz, bzip2 or zstd, so those go through the Debian
 * tools (`xz-utils`, `bzip2`, `zstd`), as dockerd itself shells out to unxz.
 */
const EXTERNAL: Readonly<Record<string, { command: string; debianPackage: string }>> = {
  bzip2: { command: 'bzip2', debianPackage: 'bzip2' },
  xz: { command: 'xz', debianPackage: 'xz-utils' },
  zstd: { command: 'zstd', debianPackage: 'zstd' },
};

export function toReadable(input: NodeJS.ReadableStream | Readable): Readable {
  return input instanceof Readable ? input : new Readable().wrap(input);
}

/** Reads at least `n` bytes (fewer at end of stream) and puts them back. */
async function peek(input: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < n && !ended) {
    const chunk = input.read() as Buffer | string | null;
    if (chunk !== null) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buf);
      length += buf.length;
      continue;
    }
    if (input.readableEnded) break;
    ended = await new Promise<boolean>((resolve, reject) => {
      const cleanup = (): void => {
        input.off('readable', onReadable);
        input.off('end', onEnd);
        input.off('error', onError);
        input.off('close', onClose);
      };
      const onReadable = (): void => { cleanup(); resolve(false); };
      const onEnd = (): void => { cleanup(); resolve(true); };
      const onError = (err: Error): void => { cleanup(); reject(err); };
      const onClose = (): void => { cleanup(); reject(new InvalidArchiveError('archive stream closed before its end')); };
      input.on('readable', onReadable);
      input.on('end', onEnd);
      input.on('error', onError);
      input.on('close', onClose);
    });
  }
  const head = Buffer.concat(chunks);
  if (ended || input.readableEnded) return { head, stream: Readable.from(head.length > 0 ? [head] : []) };
  if (head.length > 0) input.unshift(head);
  return { head, stream: input };
}

/**
 * Runs a decompressor binary as a stream. Its output ends only after the
 * process exits 0: a truncated input makes it fail, and that must reach the
 * reader as an error rather than as a short, clean end.
 */
function externalDecompressor(kind: Compression): Duplex {
  const tool = EXTERNAL[kind]!;
  const child = spawn(tool.command, ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  let stdoutEnded = false;
  let exitCode: number | null | undefined;
  const finish = (): void => {
    if (!stdoutEnded || exitCode === undefined) return;
    if (exitCode === 0) out.end();
    else out.destroy(new InvalidArchiveError(`${tool.command} failed to decompress the archive: ${stderr.trim() || `exit code ${String(exitCode)}`}`));
  };
  child.stdout.on('data', (chunk: Buffer) => {
    if (!out.write(chunk)) {
      child.stdout.pause();
      out.once('drain', () => child.stdout.resume());
    }
  });
  child.stdout.on('end', () => { stdoutEnded = true; finish(); });
  child.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 4096) stderr += chunk.toString(); });
  child.on('close', (code) => { exitCode = code; stdoutEnded = true; finish(); });
  child.on('error', (err: NodeJS.ErrnoException) => {
    const message = err.code === 'ENOENT'
      ? `${kind} compressed archives need the ${tool.command} binary (Debian package ${tool.debianPackage})`
      : `${tool.command}: ${err.message}`;
    out.destroy(new InvalidArchiveError(message));
  });
  // The child may exit early (corrupt input); its exit code tells, not EPIPE.
  child.stdin.on('error', () => undefined);
  const duplex = Duplex.from({ writable: child.stdin, readable: out });
  duplex.on('close', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
  return duplex;
}

function decompressor(kind: Compression): Duplex {
  if (kind === 'gzip') return zlib.createGunzip();
  return externalDecompressor(kind);
}

/**
 * Sniffs the first bytes of `input` and returns the uncompressed tar stream:
 * gzip through zlib, bzip2/xz/zstd through their Debian binaries, anything
 * else unchanged. Errors of `input` and of the decompressor reach the result.
 */
export async function openMaybeCompressed(
  input: NodeJS.ReadableStream | Readable,
): Promise<{ stream: Readable; compression: Compression }> {
  const { head, stream } = await peek(toReadable(input), 6);
  const compression = detectCompression(head);
  if (compression === 'none') return { stream, compression };
  const dec = decompressor(compression);
  pipeline(stream, dec, () => undefined);
  return { stream: dec as Readable, compression };
}
