import * as fs from 'node:fs';
import * as path from 'node:path';
import { INIT_LAYER } from '../files/lower-view';

/**
 * dockerd's init layer, written into the container's writable layer at
 * create: the mount points runc needs and `/.dockerenv`, which programs use
 * to tell they run in a container. diff, export and commit know these
 * placeholders (files/lower-view.ts) and leave them out as dockerd does.
 */
export function writeInitLayer(upperDir: string, layerPaths: readonly string[]): void {
  fs.mkdirSync(upperDir, { recursive: true, mode: 0o755 });
  for (const [rel, kind] of INIT_LAYER) {
    // As dockerd's init layer: only what the image lacks.
    if (layerPaths.some((l) => fs.lstatSync(path.join(l, rel), { throwIfNoEntry: false }) !== undefined)) continue;
    const p = path.join(upperDir, rel);
    if (kind === 'dir') {
      fs.mkdirSync(p, { recursive: true, mode: 0o755 });
      fs.chmodSync(p, 0o755);
    } else if (kind === 'file') {
      fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
      fs.writeFileSync(p, '', { mode: 0o755 });
      fs.chmodSync(p, 0o755);
    } else {
      fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
      fs.rmSync(p, { force: true });
      fs.symlinkSync('/proc/mounts', p);
    }
  }
}
