/** API versions served: every route answers unprefixed and under /v1.NN/ for these. */
export const MIN_API_VERSION = '1.24';
export const MAX_API_VERSION = '1.50';
export const DEFAULT_API_VERSION = MAX_API_VERSION;

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function versionAtLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}

export function versionLessThan(version: string, other: string): boolean {
  return compareVersions(version, other) < 0;
}
