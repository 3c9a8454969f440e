import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { tarExtractSink } from '@berth/archive';
import * as tar from 'tar-stream';

export class InvalidArchiveError extends Error {}

/**
 * An image archive unpacked as plain files into a private directory, so its
 * manifest can be read before its layers (their order in the tar varies).
 * Only regular files, directories and in-archive symlinks are kept; names
 * that would leave the directory are refused.
 */
export class SpooledArchive {
  private readonly links = new Map<string, string>();

  private constructor(readonly dir: string) {}

  static async from(input: NodeJS.ReadableStream, dir: string): Promise<SpooledArchive> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const spool = new SpooledArchive(dir);
    const extract = tar.extract();
    extract.on('entry', (header, stream, next) => {
      const done = (err?: unknown) => { if (err) { stream.resume(); next(err as Error); } else next(); };
      try {
        const name = spool.clean(header.name);
        if (name === '') { stream.resume(); stream.on('end', () => done()); return; }
        const target = path.join(dir, name);
        if (header.type === 'directory') {
          fs.mkdirSync(target, { recursive: true });
          stream.resume();
          stream.on('end', () => done());
        } else if (header.type === 'file' || header.type === 'contiguous-file') {
          fs.mkdirSync(path.dirname(target), { recursive: true });
          pipeline(stream, fs.createWriteStream(target)).then(() => done(), done);
        } else if (header.type === 'symlink' || header.type === 'link') {
          const linkTarget = header.type === 'symlink' ? path.posix.join(path.posix.dirname(name), header.linkname ?? '') : spool.clean(header.linkname ?? '');
          spool.links.set(name, spool.clean(linkTarget));
          stream.resume();
          stream.on('end', () => done());
        } else {
          stream.resume();
          stream.on('end', () => done());
        }
      } catch (err) {
        done(err);
      }
    });
    try {
      await pipeline(input, tarExtractSink(extract));
    } catch (err) {
      throw new InvalidArchiveError(`invalid archive: ${err instanceof Error ? err.message : String(err)}`);
    }
    return spool;
  }

  private clean(name: string): string {
    const n = path.posix.normalize('/' + name).slice(1).replace(/\/$/, '');
    if (n.split('/').includes('..')) throw new InvalidArchiveError(`invalid archive: entry ${name} leaves the archive`);
    return n;
  }

  /** The path of an archive member, following in-archive links. */
  resolve(name: string): string {
    let n = this.clean(name);
    for (let i = 0; i < 16 && this.links.has(n); i++) n = this.links.get(n)!;
    const p = path.join(this.dir, n);
    if (!fs.existsSync(p) || !fs.statSync(p).isFile()) throw new InvalidArchiveError(`invalid archive: missing ${name}`);
    return p;
  }

  has(name: string): boolean {
    try {
      this.resolve(name);
      return true;
    } catch {
      return false;
    }
  }

  readJson<T>(name: string): T {
    try {
      return JSON.parse(fs.readFileSync(this.resolve(name), 'utf8')) as T;
    } catch (err) {
      if (err instanceof InvalidArchiveError) throw err;
      throw new InvalidArchiveError(`invalid archive: ${name} is not valid JSON`);
    }
  }

  remove(): void {
    SpooledArchive.discard(this.dir);
  }

  static discard(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
