import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queryInt, singleValuedQuery } from './query';
import { queryBool } from './request-context';

test('integers as strconv.Atoi reads them', () => {
  assert.equal(queryInt(undefined), 0);
  assert.equal(queryInt(''), 0);
  assert.equal(queryInt('-3'), -3);
  assert.equal(queryInt('+7'), 7);
  for (const bad of ['0x10', '1e3', ' 5', '1.5', 'abc', '99999999999999999999']) {
    assert.throws(() => queryInt(bad), new RegExp(`strconv\\.Atoi: parsing "${bad.replace(/[.+]/g, '\\$&')}": invalid syntax`));
  }
});

test('booleans as BoolValue reads them', () => {
  for (const t of ['1', 'true', 'True', 'TRUE', 'yes', 'anything']) assert.equal(queryBool(t), true, t);
  for (const f of ['0', 'false', 'False', 'no', 'none', '']) assert.equal(queryBool(f), false, f);
});

test('a repeated parameter is its first value, except the list parameters', () => {
  const q: Record<string, unknown> = { name: ['a', 'b'], names: ['x', 'y'], all: '1' };
  singleValuedQuery(q);
  assert.deepEqual(q, { name: 'a', names: ['x', 'y'], all: '1' });
});
