import { digestError } from './digest';
import { InvalidReferenceError, ReservedNameError } from './errors';
import {
  type Reference,
  familiarName,
  parseReference,
  trimNamed,
  withDefaultTag,
  withDigest,
  withTag,
} from './reference';

/** The name `FROM scratch` means "no base image"; dockerd refuses to pull or push it. */
export const NO_BASE_IMAGE_SPECIFIER = 'scratch';

/** Throws dockerd's 403 for a pull of `scratch`. */
export function validateRepoName(ref: Reference): void {
  if (familiarName(ref) === NO_BASE_IMAGE_SPECIFIER) throw new ReservedNameError(NO_BASE_IMAGE_SPECIFIER);
}

/**
 * The reference a pull asks for: `POST /images/create?fromImage=&tag=`.
 * A trailing `:` on fromImage (sent by `docker pull -a`) is ignored; `tag`
 * may be a digest. Without any tag the result is name-only: `pull -a`
 * pulls every tag, the caller adds `latest` otherwise.
 */
export function pullReference(fromImage: string, tag?: string): Reference {
  let ref = parseReference(fromImage.endsWith(':') ? fromImage.slice(0, -1) : fromImage);
  if (tag !== undefined && tag !== '') {
    ref = digestError(tag) === undefined ? withDigest(trimNamed(ref), tag) : withTag(ref, tag);
  }
  validateRepoName(ref);
  return ref;
}

/**
 * httputils.RepoTagReference, for import, commit and build `t=`: null when
 * `repo` is empty, `latest` when `tag` is.
 */
export function repoTagReference(repo: string | undefined, tag?: string): Reference | null {
  if (repo === undefined || repo === '') return null;
  const ref = parseReference(repo);
  if (ref.digest !== undefined) throw new InvalidReferenceError('cannot import digest reference');
  if (tag !== undefined && tag !== '') return withTag(ref, tag);
  return withDefaultTag(ref);
}

export const AMBIGUOUS_TAG_MESSAGE = 'refusing to create an ambiguous tag using digest algorithm as name';

/**
 * The new reference of `POST /images/{name}/tag?repo=&tag=`. A repository
 * named `sha256` would read as a digest (`sha256:abc`), so dockerd refuses it.
 * Returns null for an empty `repo`: dockerd then answers 200 and does nothing.
 */
export function tagReference(repo: string | undefined, tag?: string): Reference | null {
  const ref = repoTagReference(repo, tag);
  if (ref !== null) refuseAmbiguousTag(ref);
  return ref;
}

/** Throws for a reference whose name is a digest algorithm (`sha256:...`). */
export function refuseAmbiguousTag(ref: Reference): void {
  if (familiarName(ref) === 'sha256') throw new InvalidReferenceError(AMBIGUOUS_TAG_MESSAGE);
}

/**
 * parsers.ParseRepositoryTag: splits `repo[:tag]` or `repo@digest` without
 * validating, minding a registry port (`localhost:5000/x` has no tag).
 */
export function splitRepositoryTag(s: string): { repository: string; tag?: string; digest?: string } {
  const at = s.indexOf('@');
  if (at >= 0) return { repository: s.slice(0, at), digest: s.slice(at + 1) };
  const colon = s.lastIndexOf(':');
  if (colon < 0 || s.indexOf('/', colon) >= 0) return { repository: s };
  return { repository: s.slice(0, colon), tag: s.slice(colon + 1) };
}
