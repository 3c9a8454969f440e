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

test('X-Registry-Auth: canonical fields of their types, or ignored when not base64 JSON', async () => {
  const { registryAuthOf } = await import('./registry-auth');
  const req = (h?: string) => ({ headers: h === undefined ? {} : { 'x-registry-auth': h } }) as never;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  assert.equal(registryAuthOf(req()), '');
  assert.equal(registryAuthOf(req('!!!')), '');
  assert.deepEqual(JSON.parse(Buffer.from(registryAuthOf(req(b64({ Username: 'u', password: 'p', extra: 1 }))), 'base64url').toString()), { username: 'u', password: 'p' });
  assert.throws(() => registryAuthOf(req(b64({ username: 5 }))), /invalid X-Registry-Auth header: json: cannot unmarshal number into Go struct field AuthConfig\.username of type string/);
});
