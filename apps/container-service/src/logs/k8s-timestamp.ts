/**
 * The timestamps of conmon's k8s-file records (`2026-11-28T21:30:18.548386293+00:00`,
 * local time with its offset) and the form dockerd prints with `timestamps=1`
 * (RFC 3339 in UTC with a fixed nine-digit fraction: `2026-11-28T21:30:18.548386293Z`).
 * Parsed straight from the bytes: this runs once per line of logs that can be 50 MB.
 */

/** A point in time without the precision loss of one float: whole seconds and nanoseconds. */
export interface LogTime {
  sec: number;
  nsec: number;
}

/** Length of dockerd's fixed form, `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`. */
export const FIXED_TIMESTAMP_LENGTH = 30;

const D0 = 0x30;

function digits(buf: Buffer, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = buf[at + i] - D0;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Parses the timestamp in `buf[start, end)` into `out`. Returns false when it is not
 * RFC 3339. `utc` tells whether it was written with a zero offset (then its digits can be
 * copied as they are); `fracDigits` how many fraction digits it had.
 */
export function parseLogTime(buf: Buffer, start: number, end: number, out: LogTime & { utc: boolean; fracDigits: number }): boolean {
  if (end - start < 20 || buf[start + 4] !== 0x2d || buf[start + 7] !== 0x2d || (buf[start + 10] !== 0x54 && buf[start + 10] !== 0x74) || buf[start + 13] !== 0x3a || buf[start + 16] !== 0x3a) return false;
  const year = digits(buf, start, 4);
  const month = digits(buf, start + 5, 2);
  const day = digits(buf, start + 8, 2);
  const hour = digits(buf, start + 11, 2);
  const minute = digits(buf, start + 14, 2);
  const second = digits(buf, start + 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return false;
  let i = start + 19;
  let nsec = 0;
  let fracDigits = 0;
  if (buf[i] === 0x2e) {
    i++;
    while (i < end) {
      const d = buf[i] - D0;
      if (d < 0 || d > 9) break;
      if (fracDigits < 9) nsec = nsec * 10 + d;
      fracDigits++;
      i++;
    }
    for (let k = fracDigits; k < 9; k++) nsec *= 10;
  }
  let offset = 0;
  const sign = buf[i];
  if (sign === 0x5a /* Z */) {
    i++;
  } else if ((sign === 0x2b || sign === 0x2d) && end - i >= 6 && buf[i + 3] === 0x3a) {
    const oh = digits(buf, i + 1, 2);
    const om = digits(buf, i + 4, 2);
    if (oh < 0 || om < 0) return false;
    offset = (oh * 3600 + om * 60) * (sign === 0x2d ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i !== end) return false;
  out.sec = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offset;
  out.nsec = nsec;
  out.utc = offset === 0;
  out.fracDigits = fracDigits;
  return true;
}

/** a < b: -1, a = b: 0, a > b: 1. */
export function compareLogTime(a: LogTime, b: LogTime): number {
  if (a.sec !== b.sec) return a.sec < b.sec ? -1 : 1;
  if (a.nsec !== b.nsec) return a.nsec < b.nsec ? -1 : 1;
  return 0;
}

/**
 * The API's since/until (unix seconds with a fraction, carried as a double) as a LogTime.
 * A double holds ~0.2 µs at today's epoch: the fraction is cut to whole microseconds,
 * rounded down for `since` and up for `until`, so a line at exactly the time asked is kept.
 */
export function logTimeFromUnix(seconds: number, round: 'down' | 'up' = 'down'): LogTime {
  let sec = Math.floor(seconds);
  const micros = (seconds - sec) * 1e6;
  let us = round === 'down' ? Math.floor(micros) : Math.ceil(micros);
  if (us >= 1_000_000) { sec += 1; us -= 1_000_000; }
  return { sec, nsec: us * 1000 };
}

/**
 * Writes dockerd's fixed form of the record's time at `out[at]` and returns the new end.
 * A record written in UTC with nine fraction digits is copied byte for byte.
 */
export function writeFixedTimestamp(out: Buffer, at: number, src: Buffer, srcStart: number, t: LogTime & { utc: boolean; fracDigits: number }): number {
  if (t.utc && t.fracDigits === 9) {
    src.copy(out, at, srcStart, srcStart + 29);
    out[at + 29] = 0x5a;
    return at + FIXED_TIMESTAMP_LENGTH;
  }
  const iso = new Date(t.sec * 1000).toISOString();
  out.write(iso.slice(0, 19), at, 'latin1');
  out[at + 19] = 0x2e;
  out.write(String(t.nsec).padStart(9, '0'), at + 20, 'latin1');
  out[at + 29] = 0x5a;
  return at + FIXED_TIMESTAMP_LENGTH;
}
