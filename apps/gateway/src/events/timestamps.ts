import { ApiError } from '@berth/engine-api';

/**
 * Parses the `since`/`until` of /events as dockerd does: "seconds" or
 * "seconds.nanoseconds" since the epoch. Returns nanoseconds, or undefined
 * when absent. The CLI turns durations and dates into this form itself.
 */
export function parseUnixTimestamp(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(raw);
  if (!m) {
    throw ApiError.badRequest(`invalid value for '${name}': strconv.ParseInt: parsing "${raw}": invalid syntax`);
  }
  const seconds = Number(m[1]);
  const nanos = m[2] ? Number(m[2].padEnd(9, '0')) : 0;
  return seconds * 1e9 + nanos;
}
