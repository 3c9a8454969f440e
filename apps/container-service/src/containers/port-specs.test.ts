import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { portBindingsError, portFilterKeys, portKey, portsSummary, withBoundPortsExposed } from './port-specs';

test('port bindings are checked as dockerd does, with its wording', () => {
  assert.equal(portBindingsError({ '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostPort: '' }], '90': null }), undefined);
  assert.equal(portBindingsError({ '8000/tcp': [{ HostPort: '9000-9010' }] }), undefined);
  assert.equal(portBindingsError({ 'abc/tcp': [] }), 'invalid port specification: "abc"');
  assert.equal(portBindingsError({ '70000/tcp': [] }), 'invalid port specification: "70000"');
  assert.equal(portBindingsError({ '80/tcp': [{ HostPort: 'x' }] }), 'invalid port specification: "x"');
  assert.equal(portBindingsError({ '80/tcp': [{ HostPort: '90-80' }] }), 'invalid port specification: "90-80"');
  assert.equal(portBindingsError(null), undefined);
});

test('published container ports join ExposedPorts, protocol spelled out', () => {
  assert.deepEqual(withBoundPortsExposed({ '22/tcp': {} }, { '80': [{ HostPort: '8080' }], '53/udp': [] }), { '22/tcp': {}, '80/tcp': {}, '53/udp': {} });
  assert.equal(withBoundPortsExposed(undefined, {}), undefined);
  assert.equal(portKey('80'), '80/tcp');
  assert.equal(portKey('53/UDP'), '53/udp');
});

test('the summary Ports: one entry per binding, exposed-only ports without IP and PublicPort', () => {
  const ports = portsSummary({
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }],
    '443/tcp': null,
    '53/udp': [],
  });
  assert.deepEqual(ports, [
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { PrivatePort: 443, Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
  ]);
  // dockerd's field order, which clients that print the JSON see
  assert.equal(JSON.stringify(ports[0]), '{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}');
  assert.deepEqual(portsSummary(undefined), []);
  assert.deepEqual(portsSummary({}), []);
});

test('publish and expose filter values: a port, a port with protocol, a range', () => {
  assert.deepEqual([...(portFilterKeys('publish', '80') as Set<string>)], ['80/tcp']);
  assert.deepEqual([...(portFilterKeys('expose', '53/udp') as Set<string>)], ['53/udp']);
  assert.deepEqual([...(portFilterKeys('expose', '8000-8002/tcp') as Set<string>)], ['8000/tcp', '8001/tcp', '8002/tcp']);
  assert.equal(portFilterKeys('publish', '127.0.0.1:80'), "filter for 'publish' should not contain ':': 127.0.0.1:80");
  assert.match(portFilterKeys('expose', 'x') as string, /^error while looking up for expose x/);
});
