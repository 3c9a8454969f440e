import { ApiError } from './errors';
import { DurationError, parseGoDuration } from './durations';

/** A point in time as dockerd passes it around: seconds since the epoch and the nanoseconds after them. */
export interface UnixTime {
  seconds: number;
  nanos: number;
}

/** A `since`/`until` value dockerd would refuse; the message is dockerd's. */
export class TimestampError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimestampError';
  }
}

const quote = (s: string): string => JSON.stringify(s);

/** Go's strconv.ParseInt(s, 10, 64), for its error text. */
function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new TimestampError(`strconv.ParseInt: parsing ${quote(s)}: invalid syntax`);
  const n = Number(s);
  if (Math.abs(n) >= 2 ** 63) throw new TimestampError(`strconv.ParseInt: parsing ${quote(s)}: value out of range`);
  return n;
}

/**
 * The API's own form (timetypes.ParseTimestamps): `seconds` or
 * `seconds.fraction` since the epoch, the fraction scaled to nanoseconds.
 * What the Docker CLI sends after turning dates and durations into it.
 */
export function parseUnixTimestamp(value: string): UnixTime {
  const dot = value.indexOf('.');
  const secText = dot < 0 ? value : value.slice(0, dot);
  const seconds = parseInt64(secText);
  if (dot < 0) return { seconds, nanos: 0 };
  const fracText = value.slice(dot + 1);
  const frac = parseInt64(fracText);
  // dockerd scales by the digits given (a sign counts as one): `.5` is 500ms, more than 9 digits are cut.
  return { seconds, nanos: Math.trunc(frac * 10 ** (9 - fracText.length)) };
}

/** The layouts timetypes.GetTimestamp tries, by Go name, as patterns with named fields. */
interface Layout {
  go: string;
  pattern: RegExp;
}

const DATE = '(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})';
// Go reads an hour of one or two digits; minutes and seconds take two. A fraction may follow the seconds.
const HOUR = 'T(?<hour>\\d{1,2})';
const MINUTE = `${HOUR}:(?<minute>\\d{2})`;
const SECOND = `${MINUTE}:(?<second>\\d{2})(?:\\.(?<fraction>\\d+))?`;
const ZONE = '(?<zone>Z|[+-]\\d{2}:\\d{2})';

function layout(go: string, time: string, zoned: boolean): Layout {
  return { go, pattern: new RegExp(`^${DATE}${time}${zoned ? ZONE : ''}$`) };
}

const LAYOUTS = {
  rfc3339NanoLocal: layout('2006-01-02T15:04:05.999999999', SECOND, false),
  rfc3339Nano: layout('2006-01-02T15:04:05.999999999Z07:00', SECOND, true),
  hourLocal: layout('2006-01-02T15', HOUR, false),
  minuteLocal: layout('2006-01-02T15:04', MINUTE, false),
  rfc3339Local: layout('2006-01-02T15:04:05', SECOND, false),
  hourZoned: layout('2006-01-02T15Z07:00', HOUR, true),
  minuteZoned: layout('2006-01-02T15:04Z07:00', MINUTE, true),
  rfc3339: layout('2006-01-02T15:04:05Z07:00', SECOND, true),
  dateLocal: layout('2006-01-02', '', false),
  dateZoned: layout('2006-01-02Z07:00', '', true),
};

/** The layout GetTimestamp picks for a value (by its dots, `T` and colons). */
function pickLayout(value: string, inLocation: boolean): Layout {
  if (value.includes('.')) return inLocation ? LAYOUTS.rfc3339NanoLocal : LAYOUTS.rfc3339Nano;
  if (value.includes('T')) {
    let colons = value.split(':').length - 1;
    // A numeric zone offset brings a colon of its own.
    if (!inLocation && !/[zZ]/.test(value) && colons > 0) colons--;
    if (inLocation) return colons === 0 ? LAYOUTS.hourLocal : colons === 1 ? LAYOUTS.minuteLocal : LAYOUTS.rfc3339Local;
    return colons === 0 ? LAYOUTS.hourZoned : colons === 1 ? LAYOUTS.minuteZoned : LAYOUTS.rfc3339;
  }
  return inLocation ? LAYOUTS.dateLocal : LAYOUTS.dateZoned;
}

const RANGES: ReadonlyArray<[name: 'month' | 'day' | 'hour' | 'minute' | 'second', lo: number, hi: number]> = [
  ['month', 1, 12],
  ['day', 1, 31],
  ['hour', 0, 23],
  ['minute', 0, 59],
  ['second', 0, 59],
];

/** Parses `value` in `l`; undefined when it does not have the layout's shape. */
function parseLayout(value: string, l: Layout, inLocation: boolean): UnixTime | undefined {
  const g = l.pattern.exec(value)?.groups;
  if (!g) return undefined;
  const f = {
    year: Number(g.year),
    month: Number(g.month),
    day: Number(g.day),
    hour: Number(g.hour ?? 0),
    minute: Number(g.minute ?? 0),
    second: Number(g.second ?? 0),
  };
  for (const [name, lo, hi] of RANGES) {
    if (f[name] < lo || f[name] > hi) throw new TimestampError(`parsing time ${quote(value)}: ${name} out of range`);
  }
  if (f.day > new Date(Date.UTC(f.year, f.month, 0)).getUTCDate()) throw new TimestampError(`parsing time ${quote(value)}: day out of range`);
  let ms: number;
  if (inLocation) {
    // dockerd reads a zoneless time in the daemon's own zone.
    ms = new Date(f.year, f.month - 1, f.day, f.hour, f.minute, f.second).getTime();
  } else {
    ms = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
    const zone = g.zone!;
    if (zone !== 'Z') ms -= (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return { seconds: Math.floor(ms / 1000), nanos: g.fraction ? Number(g.fraction.slice(0, 9).padEnd(9, '0')) : 0 };
}

/**
 * dockerd's timetypes.GetTimestamp followed by ParseTimestamps, the forms a
 * `since`/`until` filter takes: a Go duration before `now` (`10m`, `1h30m`,
 * `-1m` is in the future), an RFC 3339 date or time (with nanoseconds, a
 * zone, or neither: then in the local zone), or unix seconds with an
 * optional fraction.
 */
export function parseTimestamp(value: string, now: number = Date.now()): UnixTime {
  if (value !== '0') {
    let nanos: number | undefined;
    try {
      nanos = parseGoDuration(value);
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
    }
    // dockerd keeps whole seconds of a relative time.
    if (nanos !== undefined) return { seconds: Math.floor((now - nanos / 1e6) / 1000), nanos: 0 };
  }
  const inLocation = !(/[zZ+]/.test(value) || value.split('-').length - 1 === 3);
  const l = pickLayout(value, inLocation);
  const parsed = parseLayout(value, l, inLocation);
  if (parsed) return parsed;
  // Something with a dash was meant as a date.
  if (value.includes('-')) throw new TimestampError(`parsing time ${quote(value)} as ${quote(l.go)}: cannot parse ${quote(value)} as ${quote(l.go)}`);
  try {
    return parseUnixTimestamp(value);
  } catch {
    throw new TimestampError(`failed to parse value as time or duration: ${quote(value)}`);
  }
}

/** Milliseconds since the epoch (fractional below a millisecond). */
export function unixTimeToMillis(t: UnixTime): number {
  return t.seconds * 1000 + t.nanos / 1e6;
}

/** Nanoseconds since the epoch, as a number: exact to about a quarter microsecond today. */
export function unixTimeToNanos(t: UnixTime): number {
  return t.seconds * 1e9 + t.nanos;
}

/** Seconds since the epoch with the nanoseconds as a fraction. */
export function unixTimeToSeconds(t: UnixTime): number {
  return t.seconds + t.nanos / 1e9;
}

/** A prune's `until` filter (a timestamp, an RFC 3339 date or a duration before now) in milliseconds; a bad one is a 400. */
export function untilMillis(value: string, now: number = Date.now()): number {
  try {
    return unixTimeToMillis(parseTimestamp(value, now));
  } catch (err) {
    if (err instanceof TimestampError) throw new ApiError(400, err.message);
    throw err;
  }
}
