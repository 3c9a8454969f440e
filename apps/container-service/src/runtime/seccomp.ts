/**
 * Which seccomp filter a container runs under, as dockerd decides it
 * (daemon/seccomp_linux.go): none for `seccomp=unconfined`, none for a
 * privileged container unless it names a profile (`builtin` included), the given
 * profile when there is one, and Docker's default profile otherwise; each
 * specialised for the container's capabilities, this host's architecture
 * and its kernel.
 */

import * as os from 'node:os';
import { DEFAULT_PROFILE } from './seccomp-default';
import { OciSeccomp, parseKernelRelease, parseSeccompProfile, seccompArchOf, SeccompTarget, specialiseProfile } from './seccomp-profile';

export type { OciSeccomp } from './seccomp-profile';
export { SeccompProfileError } from './seccomp-profile';

/** `--security-opt seccomp=` values that name no profile. */
export const SECCOMP_UNCONFINED = 'unconfined';
export const SECCOMP_BUILTIN = 'builtin';

let hostFacts: Omit<SeccompTarget, 'capabilities'> | undefined;

/** This host's architecture and kernel (read once: neither changes while we run). */
function host(): Omit<SeccompTarget, 'capabilities'> {
  hostFacts ??= { arch: seccompArchOf(process.arch), kernel: parseKernelRelease(os.release()) };
  return hostFacts;
}

/** Docker's default profile for a container with these (bounding) capabilities. */
export function defaultSeccomp(capabilities: readonly string[], target: Partial<SeccompTarget> = {}): OciSeccomp {
  return specialiseProfile(DEFAULT_PROFILE, { ...host(), ...target, capabilities })!;
}

/**
 * The filter for a container: `profile` is what its SecurityOpt says
 * (empty: none said, `builtin`, `unconfined`, or a profile's JSON).
 * Throws SeccompProfileError with dockerd's words for a profile it refuses.
 */
export function seccompFor(profile: string, privileged: boolean, capabilities: readonly string[]): OciSeccomp | undefined {
  if (profile === SECCOMP_UNCONFINED) return undefined;
  if (profile === '') return privileged ? undefined : defaultSeccomp(capabilities);
  // Named explicitly, the default applies to a privileged container too (dockerd would try to
  // decode the word `builtin` as JSON there and fail: we take what it means instead).
  if (profile === SECCOMP_BUILTIN) return defaultSeccomp(capabilities);
  return specialiseProfile(parseSeccompProfile(profile), { ...host(), capabilities });
}
