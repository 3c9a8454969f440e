import * as fs from 'node:fs';
import { NoFollowTree } from '../files/nofollow-tree';

/**
 * Bytes of the files under a directory, each inode counted once, as dockerd's
 * directory.Size; a missing directory is 0. The writable layer belongs to a
 * running container that may swap a directory for a link to `/` while we
 * count: the walk never follows links (NoFollowTree), so it cannot wander
 * over the host.
 */
export async function directorySize(dir: string): Promise<number> {
  if (!fs.existsSync(dir)) return 0;
  const seen = new Set<string>();
  let total = 0;
  const tree = new NoFollowTree(dir);
  const walk = async (rel: string): Promise<void> => {
    for (const name of await tree.listAsync(rel)) {
      const child = rel === '' ? name : `${rel}/${name}`;
      const st = await tree.lstatAsync(child);
      if (st === null) continue;
      if (st.isDirectory()) {
        await walk(child);
        tree.done(child);
        continue;
      }
      if (st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += Number(st.size);
    }
  };
  try {
    await walk('');
  } finally {
    tree.close();
  }
  return total;
}

/** ps --size and inspect --size: the writable layer, and the whole root filesystem. */
export class ContainerSizes {
  /** Image layers never change: their sizes are kept. */
  private readonly layers = new Map<string, Promise<number>>();

  async of(upperDir: string, layerPaths: string[]): Promise<{ rw: number; rootFs: number }> {
    const rw = await directorySize(upperDir);
    let image = 0;
    for (const l of layerPaths) {
      let size = this.layers.get(l);
      if (!size) this.layers.set(l, (size = directorySize(l)));
      image += await size;
    }
    return { rw, rootFs: rw + image };
  }
}
