import {
  ERR_CHECKSUM_DIGEST_INVALID_FORMAT,
  ERR_CHECKSUM_DIGEST_INVALID_LENGTH,
  ERR_CHECKSUM_DIGEST_UNSUPPORTED,
  InvalidReferenceError,
} from './errors';

/** Algorithms go-digest can compute, with their hex length. */
const ENCODED_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

// go-digest's DigestRegexpAnchored: the shape of any digest, known algorithm or not.
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const LOWER_HEX = /^[a-f0-9]+$/;
const FULL_ID = /^[a-f0-9]{64}$/;

/** Why `s` is not a valid digest, in go-digest's words; undefined when it is one. */
export function digestError(s: string): string | undefined {
  const i = s.indexOf(':');
  if (i <= 0 || i + 1 === s.length) return ERR_CHECKSUM_DIGEST_INVALID_FORMAT;
  const algorithm = s.slice(0, i);
  const encoded = s.slice(i + 1);
  const length = ENCODED_LENGTH[algorithm];
  if (length === undefined) {
    return ANY_DIGEST.test(s) ? ERR_CHECKSUM_DIGEST_UNSUPPORTED : ERR_CHECKSUM_DIGEST_INVALID_FORMAT;
  }
  if (encoded.length !== length) return ERR_CHECKSUM_DIGEST_INVALID_LENGTH;
  if (!LOWER_HEX.test(encoded)) return ERR_CHECKSUM_DIGEST_INVALID_FORMAT;
  return undefined;
}

/** Validates a digest (`sha256:<64 lowercase hex>`, sha384, sha512) and returns it. */
export function parseDigest(s: string): string {
  const err = digestError(s);
  if (err !== undefined) throw new InvalidReferenceError(err);
  return s;
}

/** True for a 64-hex image or container id without its `sha256:` prefix. */
export function isFullId(s: string): boolean {
  return FULL_ID.test(s);
}

/** True for a full image id: 64 lowercase hex, with or without `sha256:`. */
export function isFullImageId(s: string): boolean {
  return FULL_ID.test(s.startsWith('sha256:') ? s.slice('sha256:'.length) : s);
}
