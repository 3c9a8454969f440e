import * as fs from 'node:fs';
import * as path from 'node:path';
import { layerXattrs, type TreeXattrs } from './layer-xattrs';

/**
 * dockerd puts an "init layer" between the image and the container's
 * writable layer, holding the mount points it always uses. Berth has none:
 * runc creates those mount points in the writable layer when the image
 * lacks them. For docker diff and commit they count as part of the image,
 * as they do with dockerd (daemon/initlayer).
 */
export type InitKind = 'dir' | 'file' | 'symlink';
export const INIT_LAYER: ReadonlyMap<string, InitKind> = new Map<string, InitKind>([
  ['dev', 'dir'],
  ['dev/pts', 'dir'],
  ['dev/shm', 'dir'],
  ['proc', 'dir'],
  ['sys', 'dir'],
  ['etc', 'dir'],
  ['.dockerenv', 'file'],
  ['etc/resolv.conf', 'file'],
  ['etc/hosts', 'file'],
  ['etc/hostname', 'file'],
  ['dev/console', 'file'],
  ['etc/mtab', 'symlink'],
]);
const INIT_MTAB_TARGET = '/proc/mounts';

/** Whether what the writable layer holds at an init-layer path is just that mount point, unchanged. */
export function isInitPlaceholder(kind: InitKind, st: fs.BigIntStats | fs.Stats, abs: string): boolean {
  if (Number(st.uid) !== 0 || Number(st.gid) !== 0) return false;
  if (kind === 'dir') return st.isDirectory() && (Number(st.mode) & 0o7777) === 0o755;
  if (kind === 'file') return st.isFile() && Number(st.size) === 0 && (Number(st.mode) & 0o7777) === 0o755;
  return st.isSymbolicLink() && fs.readlinkSync(abs) === INIT_MTAB_TARGET;
}

export interface LowerEntry {
  stat: fs.BigIntStats;
  capability?: Buffer;
}

export type LowerMatch = LowerEntry | { init: InitKind };

function lstat(p: string): fs.BigIntStats | null {
  return fs.lstatSync(p, { bigint: true, throwIfNoEntry: false }) ?? null;
}

export function isWhiteout(st: fs.BigIntStats | fs.Stats): boolean {
  return st.isCharacterDevice() && Number(st.rdev) === 0;
}

interface Layer { dir: string; xattrs: TreeXattrs }

/**
 * The image as overlayfs merges its layers (topmost first), looked up
 * without mounting it: whiteouts hide names below them, opaque directories
 * hide the lower layers' contents, a non-directory hides everything below
 * it. Lookups are synchronous lstat calls with a per-directory cache.
 */
export class LowerView {
  private readonly dirCache = new Map<string, Layer[]>();

  private constructor(private readonly layers: Layer[]) {}

  static async open(layerDirs: string[]): Promise<LowerView> {
    const layers = await Promise.all(layerDirs.map(async (dir) => ({ dir, xattrs: await layerXattrs(dir) })));
    return new LowerView(layers);
  }

  /** The layers in which `rel` is a directory that shows in the merged view, topmost first. */
  private dirLayers(rel: string): Layer[] {
    if (rel === '') return this.layers;
    const cached = this.dirCache.get(rel);
    if (cached) return cached;
    const slash = rel.lastIndexOf('/');
    const parent = this.dirLayers(slash < 0 ? '' : rel.slice(0, slash));
    const out: Layer[] = [];
    for (const layer of parent) {
      const st = lstat(path.join(layer.dir, rel));
      if (st === null) continue;
      if (!st.isDirectory()) break; // a whiteout or a file hides the name in every layer below
      out.push(layer);
      if (layer.xattrs.opaque.has(rel)) break;
    }
    this.dirCache.set(rel, out);
    return out;
  }

  /** What the image holds at `rel` (relative, no leading slash), or an init-layer mount point, or null. */
  lookup(rel: string): LowerMatch | null {
    const slash = rel.lastIndexOf('/');
    for (const layer of this.dirLayers(slash < 0 ? '' : rel.slice(0, slash))) {
      const st = lstat(path.join(layer.dir, rel));
      if (st === null) continue;
      if (isWhiteout(st)) break;
      return { stat: st, capability: layer.xattrs.capabilities.get(rel) };
    }
    const init = INIT_LAYER.get(rel);
    return init ? { init } : null;
  }

  /** The names the image shows in directory `rel`. */
  list(rel: string): string[] {
    const seen = new Set<string>();
    const hidden = new Set<string>();
    for (const layer of this.dirLayers(rel)) {
      let names: string[];
      try {
        names = fs.readdirSync(path.join(layer.dir, rel));
      } catch {
        continue;
      }
      for (const n of names) {
        if (seen.has(n) || hidden.has(n)) continue;
        const st = lstat(path.join(layer.dir, rel, n));
        if (st && isWhiteout(st)) hidden.add(n);
        else seen.add(n);
      }
    }
    return [...seen];
  }
}
