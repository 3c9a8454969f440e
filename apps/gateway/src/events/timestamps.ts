import { ApiError, TimestampError, parseUnixTimestamp as parseApiTimestamp, unixTimeToNanos } from '@berth/engine-api';

/**
 * The `since`/`until` of /events in nanoseconds, or undefined when absent.
 * They take only the API's unix form: the CLI turns durations and dates
 * into it itself. A bad one is the client's mistake, named by its parameter.
 */
export function parseUnixTimestamp(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return unixTimeToNanos(parseApiTimestamp(raw));
  } catch (err) {
    if (err instanceof TimestampError) throw ApiError.badRequest(`invalid value for '${name}': ${err.message}`);
    throw err;
  }
}
