import * as fs from 'node:fs';
import { CommandError, isMountPoint, runCommand } from '@berth/host';

const MOUNT = '/bin/mount';
const UMOUNT = '/bin/umount';

/**
 * The kernel copies mount(2) data into a single page: an option string longer
 * than that is refused (EINVAL). Images with many layers or deep layer paths can
 * hit it; the usual cure (short symlinked layer names, as dockerd's `l/` dir, or
 * mounting from a chdir'd relative path) is not done yet: we fail clearly instead.
 */
export const MOUNT_DATA_LIMIT = 4096 - 1;

export interface OverlayMount {
  /** Lower layer directories, topmost first (overlayfs order). */
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  target: string;
}

export class OverlayError extends Error {
  constructor(message: string, readonly stderr?: string) {
    super(message);
    this.name = 'OverlayError';
  }
}

/** overlayfs takes `:` as the lowerdir separator and `,` between options: both must be escaped. */
function escapeOverlayPath(p: string): string {
  return p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/,/g, '\\,');
}

export function overlayOptions(m: Omit<OverlayMount, 'target'>): string {
  if (m.lowerDirs.length === 0) throw new OverlayError('overlay needs at least one lower directory');
  const lower = m.lowerDirs.map(escapeOverlayPath).join(':');
  return `lowerdir=${lower},upperdir=${escapeOverlayPath(m.upperDir)},workdir=${escapeOverlayPath(m.workDir)}`;
}

/** Mounts an overlay at `target`, creating upper, work and target directories when missing. */
export async function mountOverlay(m: OverlayMount): Promise<void> {
  const options = overlayOptions(m);
  if (Buffer.byteLength(options) > MOUNT_DATA_LIMIT) {
    throw new OverlayError(`overlay mount options are ${Buffer.byteLength(options)} bytes, over the kernel's page-size limit`);
  }
  for (const dir of [m.upperDir, m.workDir, m.target]) await fs.promises.mkdir(dir, { recursive: true });
  try {
    await runCommand(MOUNT, ['-t', 'overlay', 'overlay', '-o', options, m.target]);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    throw new OverlayError(`mounting overlay at ${m.target}: ${err.detail}`, err.stderr.trim());
  }
}

/**
 * Unmounts `target` until nothing is left on it (mounts can stack); a no-op when
 * nothing is mounted. A busy mount is detached lazily so a stuck reader cannot
 * block container removal.
 */
export async function unmountOverlay(target: string): Promise<void> {
  for (let round = 0; round < 8 && isMountPoint(target); round++) {
    try {
      await runCommand(UMOUNT, [target]);
    } catch {
      if (!isMountPoint(target)) return;
      try {
        await runCommand(UMOUNT, ['-l', target]);
      } catch (lazyErr) {
        if (!isMountPoint(target)) return;
        if (!(lazyErr instanceof CommandError)) throw lazyErr;
        throw new OverlayError(`unmounting ${target}: ${lazyErr.detail}`, lazyErr.stderr.trim());
      }
    }
  }
}
