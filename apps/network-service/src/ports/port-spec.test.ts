import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { buildPortMap, expandPortKey, hostIpsFor, parsePortKey, parsePortRange, planBindings } from './port-spec';

test('port keys: tcp by default, udp and sctp, ranges, bad ones refused', () => {
  assert.deepEqual(parsePortKey('80'), { ports: { start: 80, end: 80 }, proto: 'tcp' });
  assert.deepEqual(parsePortKey('53/udp'), { ports: { start: 53, end: 53 }, proto: 'udp' });
  assert.deepEqual(parsePortKey('9/SCTP'), { ports: { start: 9, end: 9 }, proto: 'sctp' });
  assert.deepEqual(parsePortKey('8000-8002/tcp'), { ports: { start: 8000, end: 8002 }, proto: 'tcp' });
  assert.deepEqual(expandPortKey('80-81'), ['80/tcp', '81/tcp']);
  for (const bad of ['', 'x', '0', '65536', '80/icmp', '90-80', '80-']) assert.throws(() => parsePortKey(bad), /invalid/);
  assert.throws(() => parsePortRange('8090-8080', 'hostPort'), /invalid hostPort: 8090-8080/);
});

test('host IPs: empty means 0.0.0.0 and, with IPv6, [::]; brackets dropped; junk refused', () => {
  assert.deepEqual(hostIpsFor('', true), ['0.0.0.0', '::']);
  assert.deepEqual(hostIpsFor('', false), ['0.0.0.0']);
  assert.deepEqual(hostIpsFor('0.0.0.0', true), ['0.0.0.0']);
  assert.deepEqual(hostIpsFor('[::1]', true), ['::1']);
  assert.deepEqual(hostIpsFor('127.0.0.1', true), ['127.0.0.1']);
  assert.throws(() => hostIpsFor('300.1.1.1', true), /invalid host IP address/);
});

test('plan: fixed, range and ephemeral host ports; container ranges map 1:1', () => {
  const plan = planBindings({
    bindings: [
      { containerPort: '80/tcp', hostIp: '127.0.0.1', hostPort: '18080' },
      { containerPort: '81/tcp', hostIp: '', hostPort: '9000-9010' },
      { containerPort: '53/udp', hostIp: '', hostPort: '' },
      { containerPort: '7000-7001/tcp', hostIp: '0.0.0.0', hostPort: '17000-17001' },
    ],
    publishAll: false,
    exposed: ['80/tcp'],
  }, true);
  assert.deepEqual(plan, [
    { key: '80/tcp', proto: 'tcp', containerPort: 80, hostIps: ['127.0.0.1'], hostPorts: { start: 18080, end: 18080 } },
    { key: '81/tcp', proto: 'tcp', containerPort: 81, hostIps: ['0.0.0.0', '::'], hostPorts: { start: 9000, end: 9010 } },
    { key: '53/udp', proto: 'udp', containerPort: 53, hostIps: ['0.0.0.0', '::'], hostPorts: null },
    { key: '7000/tcp', proto: 'tcp', containerPort: 7000, hostIps: ['0.0.0.0'], hostPorts: { start: 17000, end: 17000 } },
    { key: '7001/tcp', proto: 'tcp', containerPort: 7001, hostIps: ['0.0.0.0'], hostPorts: { start: 17001, end: 17001 } },
  ]);
  assert.throws(() => planBindings({ bindings: [{ containerPort: '80-82', hostIp: '', hostPort: '90-91' }], publishAll: false, exposed: [] }, false),
    /invalid ranges specified for container and host Ports/);
  const ephemeralRange = planBindings({ bindings: [{ containerPort: '80-81', hostIp: '', hostPort: '' }], publishAll: false, exposed: [] }, false);
  assert.deepEqual(ephemeralRange.map((p) => [p.key, p.hostPorts]), [['80/tcp', null], ['81/tcp', null]]);
});

test('-P: every exposed port without a binding of its own gets an ephemeral one on all addresses', () => {
  const plan = planBindings({
    bindings: [{ containerPort: '80/tcp', hostIp: '', hostPort: '8080' }],
    publishAll: true,
    exposed: ['80/tcp', '443/tcp', '53/udp'],
  }, false);
  assert.deepEqual(plan.map((p) => [p.key, p.hostIps, p.hostPorts]), [
    ['80/tcp', ['0.0.0.0'], { start: 8080, end: 8080 }],
    ['443/tcp', ['0.0.0.0'], null],
    ['53/udp', ['0.0.0.0'], null],
  ]);
  const bound = planBindings({ bindings: [], publishAll: true, exposed: ['80/tcp'], hostBindingIpv4: '127.0.0.1' }, true);
  assert.deepEqual(bound.map((p) => p.hostIps), [['127.0.0.1']]);
});

test('port map: exposed-only ports are null, bound ones list their addresses in order', () => {
  const map = buildPortMap(['80/tcp', '443', '53/udp'], [
    { key: '80/tcp', hostIp: '0.0.0.0', hostPort: 8080 },
    { key: '80/tcp', hostIp: '::', hostPort: 8080 },
    { key: '9000/tcp', hostIp: '127.0.0.1', hostPort: 19000 },
  ]);
  assert.deepEqual(map, {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }],
    '443/tcp': null,
    '53/udp': null,
    '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: '19000' }],
  });
});

test('host port "0" asks for any free port, as an empty one does (Testcontainers sends it)', () => {
  const plan = planBindings({ bindings: [{ containerPort: '80/tcp', hostIp: '', hostPort: '0' }], publishAll: false, exposed: [] }, false);
  assert.equal(plan.length, 1);
  assert.equal(plan[0].hostPorts, null);
});
