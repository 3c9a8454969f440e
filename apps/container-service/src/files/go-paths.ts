import * as path from 'node:path';

/*
 * Path handling as dockerd's Go code does it for the archive endpoints, so
 * names in stats, errors and tar entries come out the same: filepath.Clean,
 * Base, and go-archive's PreserveTrailingDotOrSeparator.
 */

/** filepath.Clean of an absolute path: `..` folded lexically, clamped at `/`. */
export function cleanAbsolute(p: string): string {
  return path.posix.normalize(`/${p}`).replace(/(.)\/+$/, '$1');
}

/** filepath.Base: the last element, trailing slashes ignored; `/` for the root. */
export function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function specifiesCurrentDir(p: string): boolean {
  return goBase(p) === '.';
}

/**
 * `/etc/` and `/etc/.` mean something to docker cp (follow the link, copy the
 * contents): cleaning must not lose them.
 */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!out.endsWith('/')) out += '/';
    out += '.';
  }
  if (!out.endsWith('/') && original.endsWith('/')) out += '/';
  return out;
}

/** The path dockerd archives for `GET /containers/{id}/archive?path=`. */
export function archivePath(requested: string): string {
  return preserveTrailingDotOrSeparator(cleanAbsolute(requested), requested);
}
