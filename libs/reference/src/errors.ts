/**
 * Errors carry the HTTP status dockerd answers with, so a route can map them
 * without knowing which helper threw. Messages are Docker's own wording:
 * clients and scripts match on them.
 */
export class InvalidReferenceError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidReferenceError';
  }
}

/** dockerd answers 403 Forbidden for a pull of the reserved name `scratch`. */
export class ReservedNameError extends Error {
  readonly statusCode = 403;
  constructor(name: string) {
    super(`'${name}' is a reserved name`);
    this.name = 'ReservedNameError';
  }
}

// distribution/reference's sentinel errors.
export const ERR_REFERENCE_INVALID_FORMAT = 'invalid reference format';
export const ERR_TAG_INVALID_FORMAT = 'invalid tag format';
export const ERR_DIGEST_INVALID_FORMAT = 'invalid digest format';
export const ERR_NAME_CONTAINS_UPPERCASE = 'repository name must be lowercase';
export const ERR_NAME_EMPTY = 'repository name must have at least one component';
export const ERR_NAME_TOO_LONG = 'repository name must not be more than 255 characters';
export const ERR_NAME_NOT_CANONICAL = 'repository name must be canonical';

// go-digest's sentinel errors.
export const ERR_CHECKSUM_DIGEST_INVALID_FORMAT = 'invalid checksum digest format';
export const ERR_CHECKSUM_DIGEST_INVALID_LENGTH = 'invalid checksum digest length';
export const ERR_CHECKSUM_DIGEST_UNSUPPORTED = 'unsupported digest algorithm';
