import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Filters } from './filters';
import { ApiError } from './errors';

test('parses the map form and the legacy list form alike', () => {
  const a = Filters.parse('{"label":{"a=b":true,"c":true},"dangling":{"true":true}}');
  const b = Filters.parse('{"label":["a=b","c"],"dangling":["true"]}');
  assert.deepEqual(a.get('label').sort(), ['a=b', 'c']);
  assert.deepEqual(b.get('label').sort(), ['a=b', 'c']);
  assert.equal(a.getBool('dangling', false), true);
});

test('malformed filters are a 400, never a crash', () => {
  for (const raw of ['{bad', '[1,2]', '"x"', '{"a":5}', '{"a":[1]}']) {
    assert.throws(() => Filters.parse(raw), (e: unknown) => e instanceof ApiError && e.statusCode === 400, raw);
  }
  assert.equal(Filters.parse('').size, 0);
  assert.equal(Filters.parse(undefined).size, 0);
});

test('validate names the unknown key as dockerd does', () => {
  assert.throws(() => Filters.parse('{"foo":["bar"]}').validate(['name']), /invalid filter 'foo'/);
  Filters.parse('{"name":["x"]}').validate(['name']);
});

test('exact, fuzzy and regexp matching', () => {
  const f = new Filters({ name: ['ab'], id: ['12'] });
  assert.ok(f.exactMatch('name', 'ab'));
  assert.ok(!f.exactMatch('name', 'abc'));
  assert.ok(f.fuzzyMatch('id', '1234'));
  assert.ok(!f.fuzzyMatch('id', '2134'));
  assert.ok(f.match('name', 'xaby'));
  assert.ok(f.exactMatch('other', 'anything'));
});

test('matchKVList needs every key and value', () => {
  const f = new Filters({ label: ['a=b', 'c'] });
  assert.ok(f.matchKVList('label', { a: 'b', c: '', d: 'e' }));
  assert.ok(!f.matchKVList('label', { a: 'x', c: '' }));
  assert.ok(!f.matchKVList('label', { a: 'b' }));
  assert.ok(!f.matchKVList('label', {}));
  assert.ok(new Filters().matchKVList('label', {}));
});

test('boolean filters reject conflicting or foreign values', () => {
  assert.equal(new Filters({ dangling: ['0'] }).getBool('dangling', true), false);
  assert.throws(() => new Filters({ dangling: ['maybe'] }).getBool('dangling', false), /invalid filter 'dangling=\[maybe\]'/);
  assert.throws(() => new Filters({ dangling: ['true', 'false'] }).getBool('dangling', false), /invalid filter/);
});
