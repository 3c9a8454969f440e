/** RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's RFC3339Nano. */
export function rfc3339Nano(ms = Date.now(), extraNs = Number(process.hrtime.bigint() % 1_000_000n)): string {
  const iso = new Date(ms).toISOString();
  const frac = `${iso.slice(20, 23)}${String(extraNs).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}
