import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimestampError, parseTimestamp, parseUnixTimestamp, unixTimeToMillis, unixTimeToNanos, unixTimeToSeconds } from './index';

describe('parseUnixTimestamp (timetypes.ParseTimestamps)', () => {
  const ok: Array<[string, number, number]> = [
    ['1700000000', 1700000000, 0],
    ['1700000000.5', 1700000000, 500000000],
    ['1700000000.000000001', 1700000000, 1],
    ['1700000000.123456789123', 1700000000, 123456789],
    ['0', 0, 0],
    ['-1', -1, 0],
    ['+5', 5, 0],
    ['10.+5', 10, 50000000],
  ];
  for (const [input, seconds, nanos] of ok) {
    it(`reads ${input}`, () => assert.deepEqual(parseUnixTimestamp(input), { seconds, nanos }));
  }
  it('names the part strconv refused', () => {
    assert.throws(() => parseUnixTimestamp('yesterday'), { name: 'TimestampError', message: 'strconv.ParseInt: parsing "yesterday": invalid syntax' });
    assert.throws(() => parseUnixTimestamp('12.x'), { message: 'strconv.ParseInt: parsing "x": invalid syntax' });
    assert.throws(() => parseUnixTimestamp('12.'), { message: 'strconv.ParseInt: parsing "": invalid syntax' });
    assert.throws(() => parseUnixTimestamp(''), { message: 'strconv.ParseInt: parsing "": invalid syntax' });
    assert.throws(() => parseUnixTimestamp('99999999999999999999'), { message: 'strconv.ParseInt: parsing "99999999999999999999": value out of range' });
  });
});

describe('parseTimestamp (timetypes.GetTimestamp, as since/until filters take it)', () => {
  const now = Date.UTC(2024, 0, 15, 12, 0, 0, 250);
  const nowSeconds = Math.floor(now / 1000);

  it('durations count back from now, in whole seconds', () => {
    assert.deepEqual(parseTimestamp('10m', now), { seconds: nowSeconds - 600, nanos: 0 });
    assert.deepEqual(parseTimestamp('1h30m', now), { seconds: nowSeconds - 5400, nanos: 0 });
    assert.deepEqual(parseTimestamp('1.5s', now), { seconds: Math.floor((now - 1500) / 1000), nanos: 0 });
    assert.deepEqual(parseTimestamp('300ms', now), { seconds: Math.floor((now - 300) / 1000), nanos: 0 });
    assert.deepEqual(parseTimestamp('-1m', now), { seconds: nowSeconds + 60, nanos: 0 });
  });

  it('unix seconds, with or without a fraction; 0 is the epoch, not a duration', () => {
    assert.deepEqual(parseTimestamp('1700000000', now), { seconds: 1700000000, nanos: 0 });
    assert.deepEqual(parseTimestamp('1700000000.25', now), { seconds: 1700000000, nanos: 250000000 });
    assert.deepEqual(parseTimestamp('0', now), { seconds: 0, nanos: 0 });
  });

  it('RFC 3339 with a zone, nanoseconds or neither', () => {
    const t = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
    assert.deepEqual(parseTimestamp('2024-01-02T03:04:05Z', now), { seconds: t, nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02T03:04:05.123456789Z', now), { seconds: t, nanos: 123456789 });
    assert.deepEqual(parseTimestamp('2024-01-02T03:04:05.5Z', now), { seconds: t, nanos: 500000000 });
    assert.deepEqual(parseTimestamp('2024-01-02T05:04:05+02:00', now), { seconds: t, nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02T01:04:05-02:00', now), { seconds: t, nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02T03:04Z', now), { seconds: t - 5, nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02T03Z', now), { seconds: t - 245, nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02Z', now), { seconds: Date.UTC(2024, 0, 2) / 1000, nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02+01:00', now), { seconds: Date.UTC(2024, 0, 1, 23) / 1000, nanos: 0 });
  });

  it('without a zone: the local one', () => {
    const local = (...a: [number, number, number, number?, number?, number?]) => new Date(a[0], a[1], a[2], a[3] ?? 0, a[4] ?? 0, a[5] ?? 0).getTime() / 1000;
    assert.deepEqual(parseTimestamp('2024-01-02', now), { seconds: local(2024, 0, 2), nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02T03', now), { seconds: local(2024, 0, 2, 3), nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02T03:04', now), { seconds: local(2024, 0, 2, 3, 4), nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02T03:04:05', now), { seconds: local(2024, 0, 2, 3, 4, 5), nanos: 0 });
    assert.deepEqual(parseTimestamp('2024-01-02T03:04:05.000000007', now), { seconds: local(2024, 0, 2, 3, 4, 5), nanos: 7 });
  });

  it('refuses what dockerd refuses, with its messages', () => {
    assert.throws(() => parseTimestamp('yesterday', now), (e: unknown) => e instanceof TimestampError && e.message === 'failed to parse value as time or duration: "yesterday"');
    assert.throws(() => parseTimestamp('1d', now), { message: 'failed to parse value as time or duration: "1d"' });
    assert.throws(() => parseTimestamp('2024-13-01', now), { message: 'parsing time "2024-13-01": month out of range' });
    assert.throws(() => parseTimestamp('2024-02-30', now), { message: 'parsing time "2024-02-30": day out of range' });
    assert.throws(() => parseTimestamp('2024-01-02T25:00:00Z', now), { message: 'parsing time "2024-01-02T25:00:00Z": hour out of range' });
    assert.throws(() => parseTimestamp('2024-1-2', now), /^TimestampError: parsing time "2024-1-2" as "2006-01-02"/);
  });
});

describe('UnixTime conversions', () => {
  const t = { seconds: 1700000000, nanos: 500000000 };
  it('to milliseconds, nanoseconds and seconds', () => {
    assert.equal(unixTimeToMillis(t), 1700000000500);
    assert.equal(unixTimeToNanos(t), 1700000000500000000);
    assert.equal(unixTimeToSeconds(t), 1700000000.5);
  });
});
