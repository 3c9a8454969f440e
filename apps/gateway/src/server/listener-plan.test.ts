import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '@berth/config';
import { planListeners } from './listener-plan';

const gw = (env: Record<string, string>) => loadConfig({ BERTH_RUN_ROOT: '/r', ...env }).gateway;
const TLS = { BERTH_TLS_CERT: '/c.pem', BERTH_TLS_KEY: '/k.pem' };

test('by default only the unix socket, 660 to the docker group, and nothing to warn about', () => {
  const plan = planListeners(gw({}));
  assert.deepEqual(plan.unix, { path: '/r/berth.sock', mode: 0o660, group: 'docker' });
  assert.equal(plan.tcp, undefined);
  assert.deepEqual(plan.warnings, []);
});

test('plain TCP is refused without the insecure switch, on loopback too', () => {
  for (const addr of ['127.0.0.1:2375', '0.0.0.0:2375', '[::1]:2375']) {
    assert.throws(() => planListeners(gw({ BERTH_TCP: addr })), /refusing to serve plain TCP on .*root on this host.*BERTH_TCP_INSECURE=1/);
  }
});

test('plain TCP behind the insecure switch is served, with a warning that says who is root', () => {
  const local = planListeners(gw({ BERTH_TCP: '127.0.0.1:2375', BERTH_TCP_INSECURE: '1' }));
  assert.deepEqual(local.tcp, { host: '127.0.0.1', port: 2375 });
  assert.match(local.warnings.join('\n'), /plain TCP 127\.0\.0\.1:2375 .*every local user/);
  const open = planListeners(gw({ BERTH_TCP: '0.0.0.0:2375', BERTH_TCP_INSECURE: '1' }));
  assert.match(open.warnings.join('\n'), /anyone who can reach this address over the network is root/);
});

test('TLS with a client CA is served anywhere without a warning', () => {
  const plan = planListeners(gw({ BERTH_TCP: '0.0.0.0:2376', ...TLS, BERTH_TLS_CA: '/ca.pem' }));
  assert.deepEqual(plan.tcp, { host: '0.0.0.0', port: 2376, tls: { cert: '/c.pem', key: '/k.pem', ca: '/ca.pem' } });
  assert.deepEqual(plan.warnings, []);
});

test('TLS without a client CA: refused off loopback unless allowed, warned on loopback', () => {
  assert.throws(() => planListeners(gw({ BERTH_TCP: '0.0.0.0:2376', ...TLS })), /without verifying clients.*BERTH_TLS_CA.*BERTH_TLS_ANY_CLIENT=1/);
  assert.throws(() => planListeners(gw({ BERTH_TCP: '10.1.2.3:2376', ...TLS })), /refusing to serve TLS on 10\.1\.2\.3:2376/);
  const allowed = planListeners(gw({ BERTH_TCP: '0.0.0.0:2376', ...TLS, BERTH_TLS_ANY_CLIENT: '1' }));
  assert.ok(allowed.tcp?.tls);
  assert.match(allowed.warnings.join('\n'), /without client certificates/);
  const local = planListeners(gw({ BERTH_TCP: '127.0.0.1:2376', ...TLS }));
  assert.ok(local.tcp?.tls);
  assert.match(local.warnings.join('\n'), /every local user is root/);
});

test('half a TLS configuration is refused', () => {
  assert.throws(() => planListeners(gw({ BERTH_TCP: '127.0.0.1:2376', BERTH_TLS_CERT: '/c.pem' })), /go together/);
  assert.throws(() => planListeners(gw({ BERTH_TCP: '127.0.0.1:2376', BERTH_TLS_CA: '/ca.pem' })), /BERTH_TLS_CA is set but/);
});

test('no unix socket when BERTH_SOCKET is empty', () => {
  assert.equal(planListeners(gw({ BERTH_SOCKET: '' })).unix, undefined);
});
