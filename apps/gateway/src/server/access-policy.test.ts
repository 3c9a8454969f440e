import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessPolicy, certificateNames, hostName, listenerHostNames } from './access-policy';

const machine = { hostname: 'box.lan', addresses: ['127.0.0.1', '::1', '192.168.1.20', 'fe80::1'] };

test('hostName drops the port, brackets, case and a trailing dot', () => {
  assert.equal(hostName('Docker'), 'docker');
  assert.equal(hostName('127.0.0.1:2375'), '127.0.0.1');
  assert.equal(hostName('[::1]:2375'), '::1');
  assert.equal(hostName('::1'), '::1');
  assert.equal(hostName('localhost.:80'), 'localhost');
});

test('a loopback listener answers to its address and the loopback names; a wildcard one to the machine too', () => {
  const loop = listenerHostNames('127.0.0.1', machine);
  for (const n of ['127.0.0.1', 'localhost', '::1']) assert.ok(loop.has(n), n);
  assert.ok(!loop.has('box.lan'));
  assert.ok(!loop.has('192.168.1.20'));
  const any = listenerHostNames('0.0.0.0', machine, ['berth.example'], ['cert.example']);
  for (const n of ['0.0.0.0', 'localhost', 'box.lan', 'box', '192.168.1.20', 'fe80::1', 'berth.example', 'cert.example']) assert.ok(any.has(n), n);
  const one = listenerHostNames('10.0.0.5', machine);
  assert.deepEqual([...one], ['10.0.0.5']);
});

test('certificate names from subjectAltName, wildcards left out', () => {
  assert.deepEqual(certificateNames('DNS:berth.example, IP Address:10.0.0.5, DNS:*.example, email:a@b'), ['berth.example', '10.0.0.5']);
  assert.deepEqual(certificateNames(undefined), []);
});

test('on TCP a Host that is not the listener\'s is refused (DNS rebinding), with or without port; a missing Host is not', () => {
  const policy = new AccessPolicy({ hosts: listenerHostNames('127.0.0.1', machine, ['berth.example']), corsOrigins: [] });
  for (const host of ['127.0.0.1:2375', '127.0.0.1', 'localhost:2375', 'LOCALHOST', '[::1]:2375', 'berth.example:2375']) {
    assert.equal(policy.decide('GET', { host }).refused, undefined, host);
  }
  for (const host of ['evil.example:2375', 'evil.example', '127.0.0.2', 'box.lan']) {
    const d = policy.decide('GET', { host });
    assert.equal(d.refused?.status, 403, host);
    assert.match(d.refused!.message, /not a name or address of this listener.*BERTH_TCP_HOSTS/);
  }
  assert.equal(policy.decide('GET', {}).refused, undefined);
});

test('the unix socket takes any Host', () => {
  const policy = new AccessPolicy({ corsOrigins: [] });
  for (const host of ['docker', 'localhost', 'api.moby.localhost', 'evil.example']) assert.equal(policy.decide('GET', { host }).refused, undefined);
});

test('an Origin is refused unless listed; a listed one gets dockerd\'s CORS headers and its preflight', () => {
  const closed = new AccessPolicy({ corsOrigins: [] });
  const refused = closed.decide('POST', { host: 'docker', origin: 'http://evil.example' });
  assert.equal(refused.refused?.status, 403);
  assert.match(refused.refused!.message, /cross-origin request from "http:\/\/evil\.example".*BERTH_API_CORS_ORIGINS/);
  assert.equal(closed.decide('GET', { origin: 'null' }).refused?.status, 403);
  assert.deepEqual(closed.decide('GET', { host: 'docker' }), { preflight: false });

  const open = new AccessPolicy({ corsOrigins: ['http://good.example/'] });
  const ok = open.decide('POST', { origin: 'http://GOOD.example' });
  assert.equal(ok.refused, undefined);
  assert.equal(ok.refused === undefined && ok.cors?.['Access-Control-Allow-Origin'], 'http://GOOD.example');
  assert.equal(ok.refused === undefined && ok.cors?.['Access-Control-Allow-Methods'], 'HEAD, GET, POST, DELETE, PUT, OPTIONS');
  const pre = open.decide('OPTIONS', { origin: 'http://good.example' });
  assert.equal(pre.refused === undefined && pre.preflight, true);
  assert.equal(open.decide('POST', { origin: 'http://good.example:8080' }).refused?.status, 403);

  const any = new AccessPolicy({ corsOrigins: ['*'] });
  const star = any.decide('GET', { origin: 'http://whatever.example' });
  assert.equal(star.refused === undefined && star.cors?.['Access-Control-Allow-Origin'], '*');
});
