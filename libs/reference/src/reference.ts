import { digestError, isFullId } from './digest';
import {
  ERR_DIGEST_INVALID_FORMAT,
  ERR_NAME_CONTAINS_UPPERCASE,
  ERR_NAME_EMPTY,
  ERR_NAME_NOT_CANONICAL,
  ERR_NAME_TOO_LONG,
  ERR_REFERENCE_INVALID_FORMAT,
  ERR_TAG_INVALID_FORMAT,
  InvalidReferenceError,
} from './errors';
import {
  NAME_TOTAL_LENGTH_MAX,
  anchoredDigestRegexp,
  anchoredNameRegexp,
  anchoredTagRegexp,
  referenceRegexp,
} from './grammar';

/**
 * A named image reference. After `parseReference` the domain is never empty
 * (`docker.io` for Docker Hub) and official images carry the `library/` prefix.
 * Plain data, so it crosses gRPC and JSON unchanged.
 */
export interface Reference {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** The name the image service uses for a parsed reference. */
export type ImageReference = Reference;

/** A bare digest, as `parseAnyReference` returns for `sha256:...` or a 64-hex id. */
export interface DigestReference {
  readonly digest: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

function fail(message: string): never {
  throw new InvalidReferenceError(message);
}

/**
 * distribution/reference's Parse: the grammar alone, no Docker Hub defaults.
 * The result may have an empty domain.
 */
function parseRaw(s: string): Reference {
  const m = referenceRegexp.exec(s);
  if (m === null) {
    if (s === '') fail(ERR_NAME_EMPTY);
    if (referenceRegexp.test(s.toLowerCase())) fail(ERR_NAME_CONTAINS_UPPERCASE);
    fail(ERR_REFERENCE_INVALID_FORMAT);
  }
  const name = m[1]!;
  const nameMatch = anchoredNameRegexp.exec(name);
  const domain = nameMatch?.[1] ?? '';
  const path = nameMatch ? nameMatch[2]! : name;
  if (path.length > NAME_TOTAL_LENGTH_MAX) fail(ERR_NAME_TOO_LONG);
  const ref: { domain: string; path: string; tag?: string; digest?: string } = { domain, path };
  if (m[2] !== undefined && m[2] !== '') ref.tag = m[2];
  if (m[3] !== undefined && m[3] !== '') {
    const err = digestError(m[3]);
    if (err !== undefined) fail(err);
    ref.digest = m[3];
  }
  return ref;
}

/** Splits `name` into a registry domain and the rest, applying Docker Hub's defaults. */
export function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  const maybeDomain = name.slice(0, slash);
  const maybeRemainder = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    domain = DEFAULT_DOMAIN;
    remainder = maybeRemainder;
  } else if (maybeDomain === 'localhost' || /[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    domain = maybeDomain;
    remainder = maybeRemainder;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses what a user types (`busybox`, `user/app:1`, `localhost:5000/x@sha256:...`)
 * into a fully qualified reference, as ParseNormalizedNamed does. No default
 * tag is added: use `withDefaultTag` or `parseDockerRef` for that.
 */
export function parseReference(s: string): Reference {
  if (isFullId(s)) fail(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    fail(`${ERR_REFERENCE_INVALID_FORMAT}: repository name (${remote}) must be lowercase`);
  }
  // domain + "/" + remainder always has a name, so no "has no name" case here.
  return parseRaw(`${domain}/${remainder}`);
}

/**
 * ParseDockerRef: normalises and adds `latest` when there is neither tag nor
 * digest; a reference with both keeps only the digest (it is what counts).
 */
export function parseDockerRef(s: string): Reference {
  const ref = parseReference(s);
  if (ref.tag !== undefined && ref.digest !== undefined) return { domain: ref.domain, path: ref.path, digest: ref.digest };
  return withDefaultTag(ref);
}

/** ParseNamed: accepts only the canonical form (`docker.io/library/busybox`, not `busybox`). */
export function parseCanonicalReference(s: string): Reference {
  const ref = parseReference(s);
  if (referenceString(ref) !== s) fail(ERR_NAME_NOT_CANONICAL);
  return ref;
}

/**
 * ParseAnyReference: a 64-hex id or a digest is a bare digest reference,
 * anything else is parsed as a name.
 */
export function parseAnyReference(s: string): Reference | DigestReference {
  if (isFullId(s)) return { digest: `sha256:${s}` };
  if (digestError(s) === undefined) return { digest: s };
  return parseReference(s);
}

/** True when the result of `parseAnyReference` names a repository. */
export function isNamed(ref: Reference | DigestReference): ref is Reference {
  return typeof (ref as Reference).path === 'string';
}

/** WithName: a repository without tag or digest; no Docker Hub defaults. */
export function withName(name: string): Reference {
  const m = anchoredNameRegexp.exec(name);
  if (m === null) fail(ERR_REFERENCE_INVALID_FORMAT);
  if (m[2]!.length > NAME_TOTAL_LENGTH_MAX) fail(ERR_NAME_TOO_LONG);
  return { domain: m[1] ?? '', path: m[2]! };
}

/** WithTag: replaces the tag, keeping any digest. */
export function withTag(ref: Reference, tag: string): Reference {
  if (!anchoredTagRegexp.test(tag)) fail(ERR_TAG_INVALID_FORMAT);
  return ref.digest !== undefined
    ? { domain: ref.domain, path: ref.path, tag, digest: ref.digest }
    : { domain: ref.domain, path: ref.path, tag };
}

/** WithDigest: replaces the digest, keeping any tag. */
export function withDigest(ref: Reference, digest: string): Reference {
  if (!anchoredDigestRegexp.test(digest)) fail(ERR_DIGEST_INVALID_FORMAT);
  return ref.tag !== undefined
    ? { domain: ref.domain, path: ref.path, tag: ref.tag, digest }
    : { domain: ref.domain, path: ref.path, digest };
}

/** TagNameOnly: adds `latest` when the reference has neither tag nor digest. */
export function withDefaultTag(ref: Reference): Reference {
  if (ref.tag !== undefined || ref.digest !== undefined) return ref;
  return { domain: ref.domain, path: ref.path, tag: DEFAULT_TAG };
}

/** TrimNamed: the repository alone. */
export function trimNamed(ref: Reference): Reference {
  return { domain: ref.domain, path: ref.path };
}

/** IsNameOnly. */
export function isNameOnly(ref: Reference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** `docker.io/library/busybox`. */
export function fullName(ref: Reference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
}

function withSuffixes(name: string, ref: Reference): string {
  let s = name;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** The canonical string, `docker.io/library/busybox:latest`. */
export function referenceString(ref: Reference): string {
  return withSuffixes(fullName(ref), ref);
}

/** The canonical string; the name other Berth services store and compare. */
export const canonicalString = referenceString;

/** The name as `docker images` shows it: `busybox`, `user/app`, `127.0.0.1:5000/x`. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return fullName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** The reference as the CLI prints it: `busybox:latest`, `user/app:1`, `x@sha256:...`. */
export function familiarString(ref: Reference): string {
  return withSuffixes(familiarName(ref), ref);
}

/**
 * With a string: whether it is a valid digest (`sha256:<64 hex>`).
 * With a reference: whether it pins a digest.
 */
export function isDigest(x: string | Reference | DigestReference): boolean {
  if (typeof x === 'string') return digestError(x) === undefined;
  return x.digest !== undefined;
}

/** True for a valid tag (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return anchoredTagRegexp.test(tag);
}

/** Returns `tag` when valid, else throws Docker's `invalid tag format`. */
export function validateTag(tag: string): string {
  if (!anchoredTagRegexp.test(tag)) fail(ERR_TAG_INVALID_FORMAT);
  return tag;
}
