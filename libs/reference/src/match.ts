import { type Reference, familiarName, familiarString } from './reference';

export class BadPatternError extends Error {
  readonly statusCode = 400;
  constructor() {
    super('syntax error in pattern');
    this.name = 'BadPatternError';
  }
}

const cache = new Map<string, RegExp>();

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** Go's path.Match pattern as an anchored RegExp: `*` and `?` never match `/`. */
function compile(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let re = '^';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= pattern.length) throw new BadPatternError();
      re += escapeChar(pattern[i + 1]!);
      i += 2;
    } else if (c === '[') {
      i++;
      let negate = false;
      if (pattern[i] === '^') {
        negate = true;
        i++;
      }
      const ranges: string[] = [];
      let first = true;
      for (;;) {
        if (i >= pattern.length) throw new BadPatternError();
        if (pattern[i] === ']' && !first) {
          i++;
          break;
        }
        first = false;
        const lo = readClassChar(pattern, i);
        i = lo.next;
        if (pattern[i] === '-') {
          const hi = readClassChar(pattern, i + 1);
          if (hi.char < lo.char) throw new BadPatternError();
          ranges.push(`${escapeChar(lo.char)}-${escapeChar(hi.char)}`);
          i = hi.next;
        } else {
          ranges.push(escapeChar(lo.char));
        }
      }
      // A class never matches the separator, negated or not.
      re += negate ? `[^/${ranges.join('')}]` : `(?!/)[${ranges.join('')}]`;
    } else {
      re += escapeChar(c);
      i++;
    }
  }
  const compiled = new RegExp(`${re}$`, 's');
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function readClassChar(pattern: string, i: number): { char: string; next: number } {
  const c = pattern[i];
  if (c === undefined || c === '-' || c === ']') throw new BadPatternError();
  if (c === '\\') {
    const e = pattern[i + 1];
    if (e === undefined) throw new BadPatternError();
    return { char: e, next: i + 2 };
  }
  return { char: c, next: i + 1 };
}

/** Go's path.Match. Throws BadPatternError for a malformed pattern. */
export function pathMatch(pattern: string, name: string): boolean {
  return compile(pattern).test(name);
}

/**
 * FamiliarMatch, for `docker images <pattern>` and the `reference=` filter:
 * the pattern is tried against `busybox:latest`, then against `busybox`.
 */
export function familiarMatch(pattern: string, ref: Reference): boolean {
  return pathMatch(pattern, familiarString(ref)) || pathMatch(pattern, familiarName(ref));
}
