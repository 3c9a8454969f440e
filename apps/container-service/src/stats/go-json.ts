/**
 * JSON.stringify with bigints written as plain numbers: Docker's stats are
 * uint64 and some (unset memory limits) do not survive a trip through a JS
 * number. Keys keep insertion order, so callers build objects in the order
 * dockerd's structs encode them; `undefined` members are left out like
 * Go's `omitempty`.
 */
export function goJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => goJson(v)).join(',')}]`;
  if (value instanceof Map) return goJson(Object.fromEntries(value));
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${goJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}
