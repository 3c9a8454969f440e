import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { resolveNetworkMode } from './network-mode';
import { findNetwork } from './network-resolver';
import type { NetworkRecord } from './network-store';

function net(name: string, id: string): NetworkRecord {
  return {
    name, id, driver: 'bridge', created: '', scope: 'local', internal: false, attachable: false, ingress: false, enableIpv4: true, enableIpv6: false,
    ipamDriver: 'default', ipamOptions: {}, ipam: [], options: {}, labels: {}, configOnly: false, configFrom: '', bridge: '',
  };
}
const networks = [net('bridge', 'aa'.repeat(32)), net('host', 'bb'.repeat(32)), net('none', 'cc'.repeat(32)), net('net1', 'ab'.repeat(32)), net('abab', 'dd'.repeat(32))];

test('"" and default are the default bridge; other modes are network terms', () => {
  for (const m of ['', 'default', 'bridge']) assert.equal(resolveNetworkMode(m), 'bridge');
  assert.equal(resolveNetworkMode('host'), 'host');
  assert.equal(resolveNetworkMode('net1'), 'net1');
});

test('a network by full id, then exact name, then unique id prefix', () => {
  assert.equal(findNetwork('bb'.repeat(32), networks).name, 'host');
  assert.equal(findNetwork('ccc', networks).name, 'none');
  assert.equal(findNetwork('net1', networks).name, 'net1');
  // A name wins over an id prefix.
  assert.equal(findNetwork('abab', networks).name, 'abab');
});

test("unknown is NOT_FOUND and ambiguous is INVALID_ARGUMENT, in dockerd's words", () => {
  assert.throws(() => findNetwork('nosuch', networks), (err: { code: number; message: string }) => err.code === status.NOT_FOUND && err.message === 'network nosuch not found');
  assert.throws(() => findNetwork('a', networks), (err: { code: number; message: string }) => err.code === status.INVALID_ARGUMENT && err.message === 'network a is ambiguous (2 matches found based on ID prefix)');
});

test('container:<id> is not network-service\'s', () => {
  assert.throws(() => resolveNetworkMode('container:abc'), (err: { code: number }) => err.code === status.INVALID_ARGUMENT);
});
