/**
 * @berth/archive: safe tar extraction and tar writing for image layers,
 * `docker save`/`load`/`export`/`import` and `docker cp`.
 *
 * Safety rules of extraction (extractLayer, extractLayerAtomically):
 * - entry names are cleaned as dockerd does: leading `/` stripped, `.`/`..`
 *   folded; a name that still climbs out (`../x`, `a/../../x`) is refused;
 * - a hard link's target follows the same rule and must already exist inside;
 * - a symlink entry is created verbatim and may point anywhere; the last
 *   component of an entry is never followed (an existing link is replaced);
 * - symlinks among an entry's PARENT components are walked one component at
 *   a time with lstat, never by the kernel. Under the default SymlinkPolicy
 *   `refuse`, a link is followed only when its target, resolved as the host
 *   would (relative to the link's directory; an absolute target is a host
 *   path), stays inside the target directory (`bin -> usr/bin` then `bin/sh`
 *   writes `usr/bin/sh`); any link leading out (`link -> /`, `link -> ../..`)
 *   makes the entry an UnsafeArchiveError. `chroot` resolves links as the
 *   container would see them instead (for `docker cp`);
 * - deferred work (directory modes and times, xattrs) re-checks its path, so
 *   a later entry cannot redirect it through a symlink.
 * Refusals throw UnsafeArchiveError; corrupt or truncated input throws
 * InvalidArchiveError. Whiteouts default to overlayfs form (`overlay`).
 * xattrs and opaque dirs need Debian's `attr` package (setfattr/getfattr),
 * device nodes `mknod` (coreutils); xz/zstd/bzip2 input needs `xz-utils`,
 * `zstd`, `bzip2`.
 */
export { InvalidArchiveError, UnsafeArchiveError } from './errors';
export { type Compression, detectCompression, openMaybeCompressed } from './compression';
export { type ExtractOptions, type ExtractResult, extractLayer, extractLayerAtomically } from './extract';
export { type PackOptions, packDirectory } from './pack';
export { type SymlinkPolicy, cleanEntryName } from './scope';
export { type EntryType, type TarEntryHeader, END_OF_ARCHIVE, blockPadding, encodeTarHeader } from './tar-writer';
export { HashingStream, sha256Stream } from './hash';
/** Reads xattrs of a whole tree in one getfattr run (overlay opaque markers, file capabilities). */
export { type ArchiveSyscalls, getXattrsRecursive, useArchiveSyscalls } from './system';
export {
  OVERLAY_OPAQUE_XATTR,
  WHITEOUT_META_PREFIX,
  WHITEOUT_OPAQUE_DIR,
  WHITEOUT_PREFIX,
  type WhiteoutMode,
} from './whiteouts';
export { tarExtractSink } from './tar-sink';
