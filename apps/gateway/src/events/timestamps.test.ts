import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUnixTimestamp } from './timestamps';
import { formatEvent } from './event-format';
import { featuresFor } from '../versions/features';

test('parses seconds and seconds.nanoseconds', () => {
  assert.equal(parseUnixTimestamp('since', '1700000000'), 1700000000e9);
  assert.equal(parseUnixTimestamp('since', '1700000000.5'), 1700000000e9 + 500000000);
  assert.equal(parseUnixTimestamp('since', '1700000000.000000001'), 1700000000e9 + 1);
  assert.equal(parseUnixTimestamp('since', ''), undefined);
  assert.throws(() => parseUnixTimestamp('since', 'yesterday'), /invalid value for 'since'/);
});

test('legacy fields before 1.52 for container events only', () => {
  const ev = { Type: 'container' as const, Action: 'start', Actor: { ID: 'abc', Attributes: { image: 'busybox' } }, scope: 'local' as const, time: 1, timeNano: 1e9 };
  assert.deepEqual(Object.keys(formatEvent(ev, featuresFor('1.50'))!).slice(0, 3), ['status', 'id', 'from']);
  assert.equal(formatEvent(ev, featuresFor('1.52'))!.status, undefined);
  const vol = { ...ev, Type: 'volume' as const };
  assert.equal(formatEvent(vol, featuresFor('1.41'))!.status, undefined);
  const img = { ...ev, Type: 'image' as const, Action: 'create' };
  assert.equal(formatEvent(img, featuresFor('1.45')), undefined);
});
