import type { Stats } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { packDirectory } from '@berth/archive';
import { INIT_LAYER, LowerView, isInitPlaceholder } from './lower-view';

/**
 * A container's writable layer as a layer tar, for docker commit: overlay
 * whiteouts become `.wh.<name>` files and opaque directories get a
 * `.wh..wh..opq` entry. The mount points runc made at dockerd's init-layer
 * paths are left out: with dockerd they live in the init layer, which a
 * commit never includes.
 */
export async function layerDiff(upper: string, layers: string[]): Promise<Readable> {
  const lower = await LowerView.open(layers);
  const filter = (rel: string, st: Stats): boolean => {
    const kind = INIT_LAYER.get(rel);
    if (kind === undefined || kind === 'dir') return true;
    const image = lower.lookup(rel);
    return !(image !== null && 'init' in image && isInitPlaceholder(kind, st, path.join(upper, rel)));
  };
  return packDirectory(upper, { whiteouts: 'docker', filter });
}
