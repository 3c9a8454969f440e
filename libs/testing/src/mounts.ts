import { spawnSync } from 'node:child_process';
import { mountsUnder } from '@berth/host';

/**
 * Unmounts everything left below `root` (overlays, bind-mounted network
 * namespaces...). Mounts can be stacked on one point, so it repeats until
 * nothing is left; a busy mount is detached lazily. Returns what stayed.
 */
export function unmountUnder(root: string): string[] {
  for (let round = 0; round < 10; round++) {
    const points = mountsUnder(root);
    if (points.length === 0) return [];
    for (const p of points) {
      const r = spawnSync('umount', [p], { stdio: 'ignore' });
      if (r.status !== 0) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
    }
  }
  return mountsUnder(root);
}
