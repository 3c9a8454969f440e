import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { RpcError } from '@berth/rpc';
import { generateVolumeName, goQuote, validateVolumeName, volumeDirectory } from './names';

const invalid = (e: unknown) => e instanceof RpcError && e.code === status.INVALID_ARGUMENT;

test('names of two or more of [a-zA-Z0-9][a-zA-Z0-9_.-] are accepted', () => {
  for (const name of ['ab', 'A1', 'my_vol.1-x', '0-', 'x'.repeat(300), 'a..b']) validateVolumeName(name);
});

test('a one-character name is too short, in dockerd words', () => {
  assert.throws(() => validateVolumeName('a'), (e) => invalid(e)
    && (e as Error).message === 'volume name is too short, names should be at least two alphanumeric characters');
});

test('other names are refused with the message dockerd prints', () => {
  assert.throws(() => validateVolumeName('bad!name'), (e) => invalid(e) && (e as Error).message
    === '"bad!name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
  for (const bad of ['', '..', '../x', '/abs', '.hidden', 'a/b', '-x', '_x', 'a b', 'é1', 'a\nb']) {
    assert.throws(() => validateVolumeName(bad), (e) => invalid(e) && /includes invalid characters|too short/.test((e as Error).message), JSON.stringify(bad));
  }
});

test('names are quoted as Go %q quotes them', () => {
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('a\nb\tc\x01'), '"a\\nb\\tc\\x01"');
  assert.equal(goQuote('héllo'), '"héllo"');
});

test('a generated name is 64 lowercase hex characters, different each time', () => {
  const a = generateVolumeName();
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, generateVolumeName());
  validateVolumeName(a);
});

test('volume directories never leave the root', () => {
  assert.equal(volumeDirectory('/data/volumes', 'abc'), '/data/volumes/abc');
  for (const bad of ['..', '.', '', 'a/b', '../etc', '/etc', 'x/../../y', '.removing-x']) {
    assert.throws(() => volumeDirectory('/data/volumes', bad), /refusing volume path outside/, JSON.stringify(bad));
  }
});
