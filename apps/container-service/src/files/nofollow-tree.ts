import * as fs from 'node:fs';
import * as path from 'node:path';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

/**
 * Walks a directory tree that a running container can change under us (its
 * writable layer) without ever leaving it: each directory is opened from
 * its parent's descriptor (through /proc/<pid>/fd, which names the opened
 * directory itself, not a path to look up again; the pid rather than
 * `self` so that a program we run, such as getfattr, sees the same) with
 * O_NOFOLLOW, so a
 * directory swapped for a symlink to `/` between the listing and the visit
 * is simply not a directory any more, instead of a way onto the host.
 * Names are `rel` paths below the root ('' for the root). Descriptors are
 * kept for the directories being walked; `done(rel)` gives one back.
 */
export class NoFollowTree {
  private readonly fds = new Map<string, number>();

  constructor(root: string) {
    this.fds.set('', fs.openSync(root, O_RDONLY | O_DIRECTORY));
  }

  private dirFd(rel: string): number | null {
    const have = this.fds.get(rel);
    if (have !== undefined) return have;
    const parent = this.dirFd(parentOf(rel));
    if (parent === null) return null;
    let fd: number;
    try {
      fd = fs.openSync(`/proc/${process.pid}/fd/${parent}/${path.posix.basename(rel)}`, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch {
      return null; // gone, or no longer a directory
    }
    this.fds.set(rel, fd);
    return fd;
  }

  /** A path naming `rel` through its parent's descriptor, for one call that does not follow the last link (lstat, readlink, O_NOFOLLOW open). */
  entryPath(rel: string): string | null {
    if (rel === '') return `/proc/${process.pid}/fd/${this.fds.get('')!}`;
    const parent = this.dirFd(parentOf(rel));
    return parent === null ? null : `/proc/${process.pid}/fd/${parent}/${path.posix.basename(rel)}`;
  }

  /** The names in directory `rel`; none when it is gone or was swapped for something else. */
  list(rel: string): string[] {
    const fd = this.dirFd(rel);
    if (fd === null) return [];
    try {
      return fs.readdirSync(`/proc/${process.pid}/fd/${fd}`);
    } catch {
      return [];
    }
  }

  /** list, without holding the event loop for a big directory. */
  async listAsync(rel: string): Promise<string[]> {
    const fd = this.dirFd(rel);
    if (fd === null) return [];
    return fs.promises.readdir(`/proc/${process.pid}/fd/${fd}`).catch(() => []);
  }

  /** lstat, without holding the event loop. */
  async lstatAsync(rel: string): Promise<fs.BigIntStats | null> {
    const p = this.entryPath(rel);
    if (p === null) return null;
    return fs.promises.lstat(p, { bigint: true }).catch(() => null);
  }

  lstat(rel: string): fs.BigIntStats | null {
    if (rel === '') return fs.fstatSync(this.fds.get('')!, { bigint: true });
    const p = this.entryPath(rel);
    return p === null ? null : (fs.lstatSync(p, { bigint: true, throwIfNoEntry: false }) ?? null);
  }

  /** Done with directory `rel` (and so with everything below it). */
  done(rel: string): void {
    if (rel === '') return;
    for (const [k, fd] of this.fds) {
      if (k === rel || k.startsWith(`${rel}/`)) {
        fs.closeSync(fd);
        this.fds.delete(k);
      }
    }
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}
