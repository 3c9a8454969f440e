/**
 * @berth/reference: image references as Docker parses, normalises and prints
 * them (distribution/reference), the Engine API's reference helpers (pull,
 * tag, import), and registry naming (Docker Hub's names and API hosts, login
 * addresses, search terms, insecure registries). References are plain `{ domain, path, tag?, digest? }` objects.
 * Errors carry `statusCode` and Docker's own message.
 */
export * from './errors';
export { digestError, isFullId, isFullImageId, parseDigest } from './digest';
export {
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  LEGACY_DEFAULT_DOMAIN,
  OFFICIAL_REPO_PREFIX,
  type DigestReference,
  type ImageReference,
  canonicalString,
  type Reference,
  familiarName,
  familiarString,
  fullName,
  isDigest,
  isNameOnly,
  isNamed,
  isValidTag,
  parseAnyReference,
  parseCanonicalReference,
  parseDockerRef,
  parseReference,
  referenceString,
  referenceString as string,
  splitDockerDomain,
  trimNamed,
  validateTag,
  withDefaultTag,
  withDigest,
  withName,
  withTag,
} from './reference';
export {
  AMBIGUOUS_TAG_MESSAGE,
  NO_BASE_IMAGE_SPECIFIER,
  pullReference,
  refuseAmbiguousTag,
  repoTagReference,
  splitRepositoryTag,
  tagReference,
  validateRepoName,
} from './engine';
export {
  DEFAULT_REGISTRY_HOST,
  DOCKER_HUB_INDEX_HOST,
  InsecureRegistries,
  hostnameOf,
  isDockerHub,
  normalizeDomain,
  registryHost,
  splitSearchTerm,
} from './registry';
export { BadPatternError, familiarMatch, pathMatch } from './match';
