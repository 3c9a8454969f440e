import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerth } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerth();
});

after(async () => {
  await berth?.stop();
});

test('docker version reports API 1.50', async () => {
  const res = await berth.docker(['version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout.trim(), '1.50');
});

test('HEAD /_ping answers 200', async () => {
  const res = await berth.request('HEAD', '/_ping');
  assert.equal(res.status, 200);
  assert.equal(res.body, '');
  assert.ok(res.headers['api-version'], 'carries Api-Version');
});

test('the TCP listener answers too', async () => {
  const res = await berth.docker(['-H', `tcp://${berth.tcpAddress}`, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout.trim(), '1.50');
});
