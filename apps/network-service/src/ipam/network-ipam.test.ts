import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { formatIpv4, parseIpv4, parseSubnet } from './ipv4';
import { addressPlan, lowestFreeInPlan, validateIpamConfig } from './network-ipam';
import { DOCKER_DEFAULT_POOLS, nextFreeSubnet, overlaps, parseAddressPools, parseRouteSubnets } from './subnet-pools';
import { formatSubnet } from './ipv4';

const cfg = (subnet: string, extra: { ipRange?: string; gateway?: string; aux?: Record<string, string> } = {}) =>
  ({ subnet, ipRange: extra.ipRange ?? '', gateway: extra.gateway ?? '', auxiliaryAddresses: extra.aux ?? {} });

test('dockerd\'s default pools: 172.17-31 in /16s, then 192.168 in /20s, skipping what is taken', () => {
  assert.equal(formatSubnet(nextFreeSubnet(DOCKER_DEFAULT_POOLS, [])!), '172.17.0.0/16');
  assert.equal(formatSubnet(nextFreeSubnet(DOCKER_DEFAULT_POOLS, [parseSubnet('172.17.0.0/16'), parseSubnet('172.18.5.0/24')])!), '172.19.0.0/16');
  const all172 = Array.from({ length: 15 }, (_, i) => parseSubnet(`172.${17 + i}.0.0/16`));
  assert.equal(formatSubnet(nextFreeSubnet(DOCKER_DEFAULT_POOLS, all172)!), '192.168.0.0/20');
  assert.equal(formatSubnet(nextFreeSubnet(DOCKER_DEFAULT_POOLS, [...all172, parseSubnet('192.168.0.0/24')])!), '192.168.16.0/20');
  const everything = [parseSubnet('172.16.0.0/12'), parseSubnet('192.168.0.0/16')];
  assert.equal(nextFreeSubnet(DOCKER_DEFAULT_POOLS, everything), undefined);
});

test('BERTH_DEFAULT_ADDRESS_POOLS: base and size, several separated by spaces', () => {
  const pools = parseAddressPools('base=10.61.0.0/16,size=24 base=10.62.0.0/16,size=20');
  assert.equal(pools.length, 2);
  assert.equal(formatSubnet(nextFreeSubnet(pools, [parseSubnet('10.61.0.0/24')])!), '10.61.1.0/24');
  assert.equal(formatSubnet(nextFreeSubnet(pools, [parseSubnet('10.61.0.0/16')])!), '10.62.0.0/20');
  assert.equal(parseAddressPools(''), DOCKER_DEFAULT_POOLS);
  assert.throws(() => parseAddressPools('base=10.61.0.0/16'), /expected base=/);
  assert.throws(() => parseAddressPools('base=10.61.0.0/16,size=8'), /size must be between 16 and 30/);
});

test('host routes: every table, default and multicast left out', () => {
  const routes = parseRouteSubnets([
    'default via 10.0.0.1 dev eth0',
    '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5',
    'local 10.0.0.5 dev eth0 table local proto kernel scope host src 10.0.0.5',
    'broadcast 10.0.0.255 dev eth0 table local proto kernel scope link src 10.0.0.5',
    'multicast 224.0.0.0/4 dev eth0 table local',
    '172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown',
  ].join('\n'));
  assert.deepEqual(routes.map(formatSubnet), ['10.0.0.0/24', '10.0.0.5/32', '10.0.0.255/32', '172.17.0.0/16']);
  assert.equal(formatSubnet(nextFreeSubnet(DOCKER_DEFAULT_POOLS, routes)!), '172.18.0.0/16');
});

test('overlap is symmetric and by range', () => {
  assert.ok(overlaps(parseSubnet('10.0.0.0/8'), parseSubnet('10.1.2.0/24')));
  assert.ok(overlaps(parseSubnet('10.1.2.0/24'), parseSubnet('10.0.0.0/8')));
  assert.ok(!overlaps(parseSubnet('10.1.2.0/24'), parseSubnet('10.1.3.0/24')));
});

test('explicit IPAM: gateway defaults to the first address; range, gateway and aux must lie in the subnet', () => {
  assert.deepEqual(validateIpamConfig([cfg('10.61.5.0/24')]), { subnet: '10.61.5.0/24', ipRange: '', gateway: '10.61.5.1', auxAddresses: {}, gatewayImplied: true });
  assert.deepEqual(validateIpamConfig([cfg('10.61.5.0/24', { ipRange: '10.61.5.128/25', gateway: '10.61.5.254', aux: { a: '10.61.5.3' } })]),
    { subnet: '10.61.5.0/24', ipRange: '10.61.5.128/25', gateway: '10.61.5.254', auxAddresses: { a: '10.61.5.3' } });
  assert.equal(validateIpamConfig([]), undefined);
  const bad = (c: ReturnType<typeof cfg>, re: RegExp) => assert.throws(() => validateIpamConfig([c]), (e: { code: number; message: string }) => e.code === status.INVALID_ARGUMENT && re.test(e.message));
  bad(cfg('10.61.5.0/24', { gateway: '10.61.6.1' }), /^invalid network config:\nparent subnet 10\.61\.5\.0\/24 does not contain gateway 10\.61\.6\.1$/);
  bad(cfg('10.61.5.0/24', { ipRange: '10.61.6.0/25' }), /does not contain ip-range 10\.61\.6\.0\/25/);
  bad(cfg('10.61.5.0/24', { ipRange: '10.61.0.0/16' }), /does not contain ip-range/);
  bad(cfg('10.61.5.0/24', { aux: { x: '10.62.0.1' } }), /does not contain aux-address 10\.62\.0\.1/);
  bad(cfg('10.61.5.1/24'), /^invalid subnet 10\.61\.5\.1\/24: it should be 10\.61\.5\.0\/24$/);
  bad(cfg('nonsense'), /invalid CIDR address/);
  bad(cfg('fd00::/64'), /IPv6/);
  bad(cfg('', { gateway: '10.0.0.1' }), /needs a subnet/);
});

test('allocation: from the range, never network, broadcast, gateway or aux', () => {
  const plan = addressPlan({ subnet: '10.61.7.0/29', ipRange: '', gateway: '10.61.7.1', auxAddresses: { r: '10.61.7.2' } });
  assert.equal(formatIpv4(lowestFreeInPlan(plan, [])!), '10.61.7.3');
  const used = [3, 4, 5, 6].map((n) => parseIpv4(`10.61.7.${n}`));
  assert.equal(lowestFreeInPlan(plan, used), undefined, '.7 is the broadcast address');
  const ranged = addressPlan({ subnet: '10.61.8.0/24', ipRange: '10.61.8.0/30', gateway: '10.61.8.1', auxAddresses: {} });
  assert.equal(formatIpv4(lowestFreeInPlan(ranged, [])!), '10.61.8.2');
  assert.equal(formatIpv4(lowestFreeInPlan(ranged, [parseIpv4('10.61.8.2')])!), '10.61.8.3');
  assert.equal(lowestFreeInPlan(ranged, [parseIpv4('10.61.8.2'), parseIpv4('10.61.8.3')]), undefined);
});
