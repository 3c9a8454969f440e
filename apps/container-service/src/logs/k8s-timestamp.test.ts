import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareLogTime, logTimeFromUnix, parseLogTime, writeFixedTimestamp } from './k8s-timestamp';

function parse(s: string) {
  const buf = Buffer.from(s);
  const t = { sec: 0, nsec: 0, utc: false, fracDigits: 0 };
  return parseLogTime(buf, 0, buf.length, t) ? t : undefined;
}

function fixed(s: string): string {
  const src = Buffer.from(s);
  const t = parse(s)!;
  const out = Buffer.alloc(40);
  return out.subarray(0, writeFixedTimestamp(out, 0, src, 0, t)).toString();
}

test('conmon timestamps parse to seconds and nanoseconds, offsets applied', () => {
  const base = Date.UTC(2026, 10, 28, 21, 30, 18) / 1000;
  assert.deepEqual(parse('2026-11-28T21:30:18.548386293+00:00'), { sec: base, nsec: 548386293, utc: true, fracDigits: 9 });
  assert.deepEqual(parse('2026-11-28T21:30:18.5Z'), { sec: base, nsec: 500000000, utc: true, fracDigits: 1 });
  assert.deepEqual(parse('2026-11-28T21:30:18Z'), { sec: base, nsec: 0, utc: true, fracDigits: 0 });
  assert.equal(parse('2026-11-28T23:30:18.000000001+02:00')!.sec, base);
  assert.equal(parse('2026-11-28T16:00:18.000000001-05:30')!.sec, base);
  assert.equal(parse('2026-11-28 21:30:18Z'), undefined);
  assert.equal(parse('garbage'), undefined);
  assert.equal(parse('2026-11-28T21:30:18.5+0000'), undefined);
});

test("dockerd's fixed RFC 3339 form: UTC, nine fraction digits", () => {
  assert.equal(fixed('2026-11-28T21:30:18.548386293+00:00'), '2026-11-28T21:30:18.548386293Z');
  assert.equal(fixed('2026-11-28T21:30:18.5Z'), '2026-11-28T21:30:18.500000000Z');
  assert.equal(fixed('2026-11-28T23:30:18.000000001+02:00'), '2026-11-28T21:30:18.000000001Z');
  assert.equal(fixed('2026-11-29T01:00:00.000001000+05:00'), '2026-11-28T20:00:00.000001000Z');
});

test('since/until from the API: unix seconds with a fraction', () => {
  assert.deepEqual(logTimeFromUnix(1764365418.25), { sec: 1764365418, nsec: 250000000 });
  assert.deepEqual(logTimeFromUnix(1764365418), { sec: 1764365418, nsec: 0 });
  // What the CLI sends for a line's own timestamp keeps that line on either side.
  assert.deepEqual(logTimeFromUnix(Number('1764365418.548386293')), { sec: 1764365418, nsec: 548386000 });
  assert.deepEqual(logTimeFromUnix(Number('1764365418.548386293'), 'up'), { sec: 1764365418, nsec: 548387000 });
  assert.deepEqual(logTimeFromUnix(Number('1764365418.548386700')), { sec: 1764365418, nsec: 548386000 });
  assert.equal(compareLogTime({ sec: 1, nsec: 5 }, { sec: 1, nsec: 6 }), -1);
  assert.equal(compareLogTime({ sec: 2, nsec: 0 }, { sec: 1, nsec: 999999999 }), 1);
  assert.equal(compareLogTime({ sec: 2, nsec: 3 }, { sec: 2, nsec: 3 }), 0);
});
