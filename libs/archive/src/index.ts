/**
 * @berth/archive: safe tar extraction and tar writing for image layers,
 * `docker save`/`load`/`export`/`import` and `docker cp`.
 *
 * Safety rules of extraction (extractLayer, extractLayerAtomically):
 * - entry names are cleaned as dockerd does: leading `/` stripped, `.`/`..`
 *   folded; a name that still climbs out (`../x`, `a/../../x`) is refused;
 * - a hard link's target follows the same rule and must already exist inside;
 * - symlink entries are created verbatim, pointing anywhere, but the last
 *   component of an entry is never followed (an existing link is replaced),
 *   and symlinks among its parents are resolved component by component under
 *   a SymlinkPolicy: `refuse` (default) refuses links leading outside,
 *   `chroot` resolves them as seen from inside the container;
 * - deferred work (directory modes and times, xattrs) re-checks its path, so
 *   a later entry cannot redirect it through a symlink.
 * Refusals throw UnsafeArchiveError; corrupt or truncated input throws
 * InvalidArchiveError. xattrs and device nodes need Debian's `attr` package
 * (setfattr/getfattr) and `mknod`; xz/zstd/bzip2 input needs `xz-utils`,
 * `zstd`, `bzip2`.
 */
export { InvalidArchiveError, UnsafeArchiveError } from './errors';
export { type Compression, detectCompression, openMaybeCompressed } from './compression';
export { type ExtractOptions, type ExtractResult, extractLayer, extractLayerAtomically } from './extract';
export { type PackOptions, packDirectory } from './pack';
export { type SymlinkPolicy, cleanEntryName } from './scope';
export { type EntryType, type TarEntryHeader, END_OF_ARCHIVE, blockPadding, encodeTarHeader } from './tar-writer';
export { HashingStream } from './hash';
export {
  OVERLAY_OPAQUE_XATTR,
  WHITEOUT_META_PREFIX,
  WHITEOUT_OPAQUE_DIR,
  WHITEOUT_PREFIX,
  type WhiteoutMode,
} from './whiteouts';
