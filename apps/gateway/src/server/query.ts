import { ApiError } from '@berth/engine-api';

/**
 * Query parameters that dockerd reads as lists (r.Form[key]); every other
 * one it reads with r.FormValue, which is the first value when repeated.
 */
const LIST_PARAMS = new Set(['names', 'changes', 'type']);

/**
 * Repeated query parameters reduced to their first value, as FormValue does,
 * so a handler typed `string` never receives an array (`?name=a&name=b`).
 */
export function singleValuedQuery(query: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value) && !LIST_PARAMS.has(key)) query[key] = value[0];
  }
}

/** A query integer as strconv.Atoi reads it: decimal digits with an optional sign; empty or absent is `fallback`. */
export function queryInt(value: unknown, fallback = 0): number {
  if (value === undefined || value === null || value === '') return fallback;
  const s = String(value);
  const n = Number(s);
  if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(n)) throw ApiError.badRequest(`strconv.Atoi: parsing "${s}": invalid syntax`);
  return n;
}
