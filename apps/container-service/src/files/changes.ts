import * as fs from 'node:fs';
import * as path from 'node:path';
import { NoFollowTree } from './nofollow-tree';
import { readTreeXattrs, type TreeXattrs } from './layer-xattrs';
import { LowerView, isInitPlaceholder, isWhiteout, type LowerMatch } from './lower-view';

/** Docker's ChangeType. */
export enum ChangeKind { Modify = 0, Add = 1, Delete = 2 }

export interface Change {
  path: string;
  kind: ChangeKind;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const NS = 1_000_000_000n;

/** go-archive's sameFsTime: equal, or the same second with one side truncated to it (tar's precision). */
function sameFsTime(a: bigint, b: bigint): boolean {
  return a === b || (a / NS === b / NS && (a % NS === 0n || b % NS === 0n));
}

/** go-archive's statDifferent, plus the capability comparison its caller adds. */
function differs(lower: LowerMatch, st: fs.BigIntStats, capability: Buffer | undefined, abs: string): boolean {
  if ('init' in lower) return !isInitPlaceholder(lower.init, st, abs);
  const old = lower.stat;
  if (old.mode !== st.mode || old.uid !== st.uid || old.gid !== st.gid || old.rdev !== st.rdev) return true;
  if (!old.isDirectory() && (!sameFsTime(old.mtimeNs, st.mtimeNs) || old.size !== st.size)) return true;
  const a = lower.capability;
  return (a === undefined) !== (capability === undefined) || (a !== undefined && !a.equals(capability!));
}

function isDirMatch(lower: LowerMatch): boolean {
  return 'init' in lower ? lower.init === 'dir' : lower.stat.isDirectory();
}

/**
 * What `docker diff` reports: the writable layer compared with the image, as
 * dockerd's naive diff compares the container's tree with its parent's.
 * Only the upper directory is walked; the image is looked up name by name.
 * A directory counts as changed only for its mode or owner, but is listed
 * (C) before any change inside it; a new directory lists everything in it;
 * an opaque directory deletes what the image had in it and it does not;
 * a whiteout deletes one name. Entries come depth first, in byte order.
 */
export class ChangeWalker {
  private readonly out: Change[] = [];

  private constructor(private readonly tree: NoFollowTree, private readonly lower: LowerView, private readonly attrs: TreeXattrs) {}

  /** The upper directory is the running container's: it is walked without following its links (NoFollowTree). */
  static async run(upper: string, layers: string[]): Promise<Change[]> {
    if (!fs.existsSync(upper)) return [];
    const [lower, attrs] = await Promise.all([LowerView.open(layers), readTreeXattrs(upper)]);
    const tree = new NoFollowTree(upper);
    try {
      const walker = new ChangeWalker(tree, lower, attrs);
      walker.walkDir('', false);
      return walker.out;
    } finally {
      tree.close();
    }
  }

  private names(rel: string): string[] {
    return this.tree.list(rel).sort(byteOrder);
  }

  private lstat(rel: string): fs.BigIntStats | null {
    return this.tree.lstat(rel);
  }

  /** A directory that exists in the image too (or is an init-layer one). */
  private walkDir(rel: string, opaque: boolean): void {
    const names = this.names(rel);
    for (const name of names) {
      const child = rel === '' ? name : `${rel}/${name}`;
      const st = this.lstat(child);
      if (st === null) continue;
      const lower = this.lower.lookup(child);
      if (isWhiteout(st)) {
        if (lower !== null) this.out.push({ path: `/${child}`, kind: ChangeKind.Delete });
        continue;
      }
      if (lower === null) {
        this.out.push({ path: `/${child}`, kind: ChangeKind.Add });
        if (st.isDirectory()) {
          this.addAll(child);
          this.tree.done(child);
        }
        continue;
      }
      const mark = this.out.length;
      let listed = false;
      const abs = this.tree.entryPath(child);
      if (abs === null) continue;
      if (differs(lower, st, this.attrs.capabilities.get(child), abs)) {
        this.out.push({ path: `/${child}`, kind: ChangeKind.Modify });
        listed = true;
      }
      if (st.isDirectory()) {
        if (isDirMatch(lower)) this.walkDir(child, this.attrs.opaque.has(child));
        else this.addAll(child);
        this.tree.done(child);
        // A change inside makes the directory part of the diff, placed before what it holds.
        if (!listed && this.out.length > mark) this.out.splice(mark, 0, { path: `/${child}`, kind: ChangeKind.Modify });
      }
    }
    if (opaque) {
      const present = new Set(names);
      for (const name of this.lower.list(rel).sort(byteOrder)) {
        if (!present.has(name)) this.out.push({ path: `/${rel === '' ? name : `${rel}/${name}`}`, kind: ChangeKind.Delete });
      }
    }
  }

  /** A directory new to the image: everything in it is added. */
  private addAll(rel: string): void {
    for (const name of this.names(rel)) {
      const child = `${rel}/${name}`;
      const st = this.lstat(child);
      if (st === null || isWhiteout(st)) continue;
      this.out.push({ path: `/${child}`, kind: ChangeKind.Add });
      if (st.isDirectory()) {
        this.addAll(child);
        this.tree.done(child);
      }
    }
  }
}
