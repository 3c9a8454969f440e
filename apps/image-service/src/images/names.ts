import { parseDockerRef, parseReference, referenceString, familiarString, Reference } from '@berth/reference';

/** A reference the user typed, normalised the way the store keys it. */
export interface NamedRef {
  ref: Reference;
  /** docker.io/library/busybox:latest or docker.io/library/busybox@sha256:... */
  canonical: string;
  familiar: string;
  isDigest: boolean;
}

export function namedRef(input: string): NamedRef {
  const ref = parseDockerRef(input);
  return { ref, canonical: referenceString(ref), familiar: familiarString(ref), isDigest: ref.digest !== undefined };
}

/** The familiar form of a stored canonical reference. */
export function familiarOf(canonical: string): string {
  return familiarString(parseReference(canonical));
}

export const HEX_PREFIX = /^(sha256:)?[a-f0-9]{1,64}$/;
