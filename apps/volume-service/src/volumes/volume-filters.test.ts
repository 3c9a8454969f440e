import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANONYMOUS_LABEL, FilterList, listPredicate, prunePredicate } from './volume-filters';
import type { VolumeRecord } from './volume-store';

function vol(name: string, labels: Record<string, string> = {}, options: Record<string, string> = {}): VolumeRecord {
  return { name, driver: 'local', labels, options, createdAt: 0, anonymous: ANONYMOUS_LABEL in labels };
}

const volumes: [VolumeRecord, number][] = [
  [vol('web-data', { env: 'prod', tier: '' }), 0],
  [vol('web-logs', { env: 'dev' }), 1],
  [vol('cache'), 2],
  [vol('a'.repeat(64), { [ANONYMOUS_LABEL]: '' }), 0],
  [vol('tmp', { [ANONYMOUS_LABEL]: '', env: 'prod' }, { type: 'tmpfs', device: 'tmpfs' }), 0],
];

const f = (o: Record<string, string[]>): FilterList => Object.entries(o).map(([key, values]) => ({ key, values }));
const listed = (o: Record<string, string[]>) => {
  const p = listPredicate(f(o));
  return volumes.filter(([v, refs]) => p(v, refs)).map(([v]) => v.name);
};
const pruned = (o: Record<string, string[]>, onlyAnonymous: boolean) => {
  const p = prunePredicate(f(o), onlyAnonymous);
  return volumes.filter(([v, refs]) => p(v, refs)).map(([v]) => v.name);
};

test('no filters list everything', () => {
  assert.equal(listed({}).length, volumes.length);
});

test('name matches exactly or as a regular expression', () => {
  assert.deepEqual(listed({ name: ['web'] }), ['web-data', 'web-logs']);
  assert.deepEqual(listed({ name: ['^cache$'] }), ['cache']);
  assert.deepEqual(listed({ name: ['data$', 'cache'] }), ['web-data', 'cache']);
  assert.deepEqual(listed({ name: ['nothing'] }), []);
});

test('label is k or k=v, every one must hold', () => {
  assert.deepEqual(listed({ label: ['env'] }), ['web-data', 'web-logs', 'tmp']);
  assert.deepEqual(listed({ label: ['env=prod'] }), ['web-data', 'tmp']);
  assert.deepEqual(listed({ label: ['env=prod', 'tier'] }), ['web-data']);
  assert.deepEqual(listed({ label: ['tier='] }), ['web-data']);
  assert.deepEqual(listed({ label: ['env=qa'] }), []);
});

test('dangling selects by whether a container references the volume', () => {
  assert.deepEqual(listed({ dangling: ['true'] }), ['web-data', 'a'.repeat(64), 'tmp']);
  assert.deepEqual(listed({ dangling: ['1'] }), ['web-data', 'a'.repeat(64), 'tmp']);
  assert.deepEqual(listed({ dangling: ['false'] }), ['web-logs', 'cache']);
  assert.throws(() => listed({ dangling: ['maybe'] }), /invalid filter 'dangling=\[maybe\]'/);
  assert.throws(() => listed({ dangling: ['true', 'false'] }), /invalid filter 'dangling/);
});

test('driver matches exactly', () => {
  assert.equal(listed({ driver: ['local'] }).length, volumes.length);
  assert.deepEqual(listed({ driver: ['loc'] }), []);
  assert.deepEqual(listed({ driver: ['local'], label: ['env=dev'] }), ['web-logs']);
});

test('unknown list keys are refused, label! included (dockerd accepts it only for prune)', () => {
  assert.throws(() => listed({ foo: ['bar'] }), (e) => (e as { statusCode?: number }).statusCode === 400 && /invalid filter 'foo'/.test((e as Error).message));
  assert.throws(() => listed({ 'label!': ['env'] }), /invalid filter 'label!'/);
});

test('prune takes unreferenced local volumes without mount options, anonymous ones unless all', () => {
  assert.deepEqual(pruned({}, true), ['a'.repeat(64)]);
  assert.deepEqual(pruned({}, false), ['web-data', 'a'.repeat(64)]);
  assert.deepEqual(pruned({ label: ['env'] }, false), ['web-data']);
  assert.deepEqual(pruned({ 'label!': ['env=prod'] }, false), ['a'.repeat(64)]);
  assert.deepEqual(pruned({ label: ['env'] }, true), []);
});

test('prune understands an all filter as dockerd does, and refuses list-only keys', () => {
  assert.deepEqual(pruned({ all: ['true'] }, true), ['web-data', 'a'.repeat(64)]);
  assert.deepEqual(pruned({ all: ['0'] }, false), ['a'.repeat(64)]);
  assert.throws(() => pruned({ all: ['yes'] }, true), /invalid filter 'all': strconv.ParseBool: parsing "yes": invalid syntax/);
  assert.throws(() => pruned({ all: ['1', '0'] }, true), /invalid filter 'all=\[1 0\]': only one value is expected/);
  assert.throws(() => pruned({ name: ['x'] }, true), /invalid filter 'name'/);
  assert.throws(() => pruned({ dangling: ['true'] }, true), /invalid filter 'dangling'/);
});
