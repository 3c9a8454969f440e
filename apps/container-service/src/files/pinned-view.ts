import { hostPathOf, type GraftedMount } from './scoped-path';
import { NoFollowTree } from './nofollow-tree';

/**
 * The container's view (its root and its mounts as path grafts) for reading
 * in container-service while the container runs: every entry is reached
 * through a descriptor of the directory holding it (NoFollowTree), so a
 * lookup that resolveInRoot checked cannot be redirected onto the host by a
 * directory swapped for a symlink afterwards; what it names stays valid,
 * pinned, until close(). Only for reads of one entry (stat, a file's
 * content): directories are packed by the chrooted fs helper.
 */
export class PinnedView {
  private readonly trees = new Map<string, NoFollowTree>();

  constructor(private readonly root: string, private readonly mounts: GraftedMount[] = []) {}

  /** A path reaching the entry at container path `parts` through its directory's descriptor; null when a directory on the way is not one. */
  at(parts: string[]): string | null {
    let best: GraftedMount | undefined;
    for (const m of this.mounts) {
      if (m.components.length > parts.length || (best && best.components.length >= m.components.length)) continue;
      if (m.components.every((c, i) => parts[i] === c)) best = m;
    }
    const base = best ? best.source : this.root;
    const rest = parts.slice(best ? best.components.length : 0);
    // The root and the mount sources are Berth's own paths: only what is below them is the container's.
    if (rest.length === 0) return hostPathOf(this.root, parts, this.mounts);
    let tree = this.trees.get(base);
    if (!tree) {
      try {
        tree = new NoFollowTree(base);
      } catch {
        return null; // a file mount: nothing below it
      }
      this.trees.set(base, tree);
    }
    return tree.entryPath(rest.join('/'));
  }

  close(): void {
    for (const t of this.trees.values()) t.close();
    this.trees.clear();
  }
}
