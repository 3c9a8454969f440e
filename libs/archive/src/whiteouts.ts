/** AUFS-style whiteouts, the form layers use on the wire (image-spec "Whiteouts"). */
export const WHITEOUT_PREFIX = '.wh.';
/** Marks entries that are whiteout metadata rather than whiteouts of a name. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';
/** In a directory, says its lower-layer contents are hidden. */
export const WHITEOUT_OPAQUE_DIR = '.wh..wh..opq';
/** overlayfs marks an opaque directory with this xattr set to `y`. */
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

/**
 * What to do with `.wh.` entries when extracting:
 * - `keep` (`none` is the same): nothing special, they are ordinary files;
 * - `overlay`: convert for an overlayfs lower/upper dir: `.wh.name` becomes a
 *   0:0 character device `name`, `.wh..wh..opq` sets `trusted.overlay.opaque=y`
 *   on its directory;
 * - `apply`: extracting onto an existing tree (flattening, docker cp, import):
 *   `.wh.name` deletes `name`, `.wh..wh..opq` empties its directory of
 *   everything this archive did not put there.
 * Extraction defaults to `overlay`: layers are unpacked as overlayfs lower dirs.
 */
export type WhiteoutMode = 'overlay' | 'apply' | 'keep' | 'none';
