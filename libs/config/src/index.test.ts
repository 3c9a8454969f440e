import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWildcardHost, loadConfig } from './index';

test('the gateway listens on the unix socket only by default: no TCP, group docker, mode 660', () => {
  const gw = loadConfig({ BERTH_RUN_ROOT: '/r' }).gateway;
  assert.equal(gw.socketPath, '/r/berth.sock');
  assert.equal(gw.socketMode, 0o660);
  assert.equal(gw.socketGroup, 'docker');
  assert.equal(gw.tcpAddress, '');
  assert.equal(gw.insecureTcp, false);
  assert.equal(gw.tlsAnyClient, false);
  assert.deepEqual(gw.corsOrigins, []);
  assert.equal(gw.bodyTimeoutMs, 60_000);
  assert.equal(gw.idleTimeoutMs, 65_000);
  assert.equal(gw.maxConnections, 1000);
});

test('TCP, its switches, CORS origins, extra hosts, timeouts and the connection limit come from the environment', () => {
  const gw = loadConfig({
    BERTH_TCP: '0.0.0.0:2376', BERTH_TCP_INSECURE: '1', BERTH_TLS_ANY_CLIENT: 'true', BERTH_SOCKET_GROUP: 'berth',
    BERTH_API_CORS_ORIGINS: 'http://a.example, https://b.example:8443', BERTH_TCP_HOSTS: 'berth.example,10.0.0.5',
    BERTH_BODY_TIMEOUT: '2.5', BERTH_IDLE_TIMEOUT: '10', BERTH_MAX_CONNECTIONS: '50',
  }).gateway;
  assert.equal(gw.tcpAddress, '0.0.0.0:2376');
  assert.equal(gw.insecureTcp, true);
  assert.equal(gw.tlsAnyClient, true);
  assert.equal(gw.socketGroup, 'berth');
  assert.deepEqual(gw.corsOrigins, ['http://a.example', 'https://b.example:8443']);
  assert.deepEqual(gw.tcpHosts, ['berth.example', '10.0.0.5']);
  assert.equal(gw.bodyTimeoutMs, 2500);
  assert.equal(gw.idleTimeoutMs, 10_000);
  assert.equal(gw.maxConnections, 50);
  assert.equal(loadConfig({ BERTH_TCP: 'off' }).gateway.tcpAddress, '');
  assert.throws(() => loadConfig({ BERTH_BODY_TIMEOUT: '0' }), /BERTH_BODY_TIMEOUT must be a positive number of seconds/);
});

test('wildcard hosts', () => {
  assert.equal(isWildcardHost('0.0.0.0'), true);
  assert.equal(isWildcardHost('::'), true);
  assert.equal(isWildcardHost('127.0.0.1'), false);
});
