// The registry client's public surface.
export { RegistryClient, translatePullError } from './client';
export type { ResolvedManifest, RegistryClientOptions } from './client';
export type { RegistryAuth } from './auth';
export type { Platform, Descriptor } from './manifests';
export {
  MediaTypes,
  MANIFEST_ACCEPT,
  computeDigest,
  formatPlatform,
  normalizePlatform,
  selectPlatform,
  parseManifest,
} from './manifests';
export { RegistryError, isRegistryError } from './errors';
export type { RegistryErrorKind, RegistryErrorEntry } from './errors';
export type { Repository } from './endpoint';
export { DEFAULT_SEARCH_LIMIT } from './search';
export type { SearchResult } from './search';
