import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Bytes of the files under a directory, each inode counted once, as dockerd's
 * directory.Size; a missing directory is 0.
 */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      let st: fs.Stats;
      try {
        st = await fs.promises.lstat(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        await walk(p);
        continue;
      }
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  };
  await walk(dir);
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
