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
