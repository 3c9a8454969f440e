import * as path from 'node:path';
import { OVERLAY_OPAQUE_XATTR, getXattrsRecursive } from '@berth/archive';

export const CAPABILITY_XATTR = 'security.capability';

/** What a tree says about itself in xattrs: overlay opaque directories and file capabilities. */
export interface TreeXattrs {
  /** Relative paths ('' for the root) of directories marked `trusted.overlay.opaque=y`. */
  opaque: Set<string>;
  /** security.capability by relative path. */
  capabilities: Map<string, Buffer>;
}

const PATTERN = '^(trusted\\.overlay\\.opaque|security\\.capability)$';

/** Reads a tree's opaque markers and capabilities in one getfattr run. */
export async function readTreeXattrs(root: string): Promise<TreeXattrs> {
  const got = await getXattrsRecursive(root, PATTERN);
  if (got === null) throw new Error('cannot read overlay opaque markers: getfattr not found (install Debian package attr)');
  const out: TreeXattrs = { opaque: new Set(), capabilities: new Map() };
  const abs = path.resolve(root);
  for (const [file, attrs] of got) {
    const rel = path.relative(abs, file);
    if (rel.startsWith('..')) continue;
    if (attrs.get(OVERLAY_OPAQUE_XATTR)?.toString() === 'y') out.opaque.add(rel);
    const cap = attrs.get(CAPABILITY_XATTR);
    if (cap) out.capabilities.set(rel, cap);
  }
  return out;
}

/** Image layers never change once unpacked: their xattrs are read once per process. */
const layerCache = new Map<string, Promise<TreeXattrs>>();
const LAYER_CACHE_MAX = 256;

export function layerXattrs(layer: string): Promise<TreeXattrs> {
  let p = layerCache.get(layer);
  if (!p) {
    if (layerCache.size >= LAYER_CACHE_MAX) layerCache.delete(layerCache.keys().next().value!);
    p = readTreeXattrs(layer);
    p.catch(() => layerCache.delete(layer));
    layerCache.set(layer, p);
  }
  return p;
}
