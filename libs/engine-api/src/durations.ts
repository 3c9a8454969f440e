/** A duration string Go's time.ParseDuration refuses, with Go's message. */
export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

/** Nanoseconds per unit, as Go spells the units (both micro signs included). */
const UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's largest Duration (int64 nanoseconds). */
const MAX_NANOS = 2 ** 63;

const quote = (s: string): string => JSON.stringify(s);

/**
 * Go's time.ParseDuration: a signed sequence of decimal numbers, each with an
 * optional fraction and a unit (`300ms`, `-1.5h`, `1h30m`, `.5s`), or a bare
 * `0`. Returns nanoseconds (a float beyond 2^53, which no caller needs exact).
 */
export function parseGoDuration(value: string): number {
  const invalid = () => new DurationError(`time: invalid duration ${quote(value)}`);
  let s = value;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, intPart, fracPart] = num;
    // Go needs a digit on at least one side of the point.
    if (intPart === '' && (fracPart ?? '') === '') throw invalid();
    s = s.slice(whole.length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') throw new DurationError(`time: missing unit in duration ${quote(value)}`);
    const scale = UNITS[unit];
    if (scale === undefined) throw new DurationError(`time: unknown unit ${quote(unit)} in duration ${quote(value)}`);
    s = s.slice(unit.length);
    total += Number(intPart || '0') * scale + (fracPart ? Number(`0.${fracPart}`) * scale : 0);
    if (total > MAX_NANOS) throw invalid();
  }
  // Go keeps whole nanoseconds.
  total = Math.trunc(total);
  return negative && total !== 0 ? -total : total;
}
