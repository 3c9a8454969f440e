import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { resolveNetworkMode } from './network-mode';

const networks = [
  { name: 'bridge', id: 'aa'.repeat(32), driver: 'bridge', created: '' },
  { name: 'host', id: 'bb'.repeat(32), driver: 'host', created: '' },
  { name: 'none', id: 'cc'.repeat(32), driver: 'null', created: '' },
];

test('"", default and bridge are the default bridge; host and none are themselves', () => {
  for (const m of ['', 'default', 'bridge']) assert.equal(resolveNetworkMode(m, networks), 'bridge');
  assert.equal(resolveNetworkMode('host', networks), 'host');
  assert.equal(resolveNetworkMode('none', networks), 'none');
});

test('a network may be named by its id or an id prefix', () => {
  assert.equal(resolveNetworkMode('bb'.repeat(32), networks), 'host');
  assert.equal(resolveNetworkMode('ccc', networks), 'none');
});

test("an unknown network is NOT_FOUND in dockerd's words", () => {
  assert.throws(() => resolveNetworkMode('nosuch', networks), (err: { code: number; message: string }) => err.code === status.NOT_FOUND && err.message === 'network nosuch not found');
  assert.throws(() => resolveNetworkMode('dd', networks), /network dd not found/);
});

test('container:<id> is refused as not supported yet', () => {
  assert.throws(() => resolveNetworkMode('container:abc', networks), (err: { code: number; message: string }) => err.code === status.INVALID_ARGUMENT && /not supported yet/.test(err.message));
});
