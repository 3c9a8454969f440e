import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { broadcastOf, contains, formatIpv4, formatSubnet, gatewayOf, parseIpv4, parseSubnet } from './ipv4';
import { lowestFreeAddress } from './address-pool';

test('IPv4 addresses round-trip through numbers', () => {
  for (const a of ['0.0.0.0', '10.200.7.1', '172.18.0.2', '255.255.255.255']) assert.equal(formatIpv4(parseIpv4(a)), a);
  assert.equal(parseIpv4('172.18.0.2'), 0xac120002);
  for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d', '1.2.3.4.5', '01234.1.1.1']) assert.throws(() => parseIpv4(bad));
});

test('subnets: network, gateway, broadcast, membership', () => {
  const s = parseSubnet('172.18.0.0/16');
  assert.equal(formatSubnet(s), '172.18.0.0/16');
  assert.equal(formatIpv4(gatewayOf(s)), '172.18.0.1');
  assert.equal(formatIpv4(broadcastOf(s)), '172.18.255.255');
  assert.ok(contains(s, parseIpv4('172.18.200.3')));
  assert.ok(!contains(s, parseIpv4('172.19.0.1')));
  const small = parseSubnet('10.200.33.0/24');
  assert.equal(formatIpv4(broadcastOf(small)), '10.200.33.255');
});

test('subnets with host bits or unusable sizes are refused', () => {
  assert.throws(() => parseSubnet('172.18.0.1/16'), /host bits are set \(did you mean 172\.18\.0\.0\/16\?\)/);
  assert.throws(() => parseSubnet('10.0.0.0/31'), /prefix length/);
  assert.throws(() => parseSubnet('10.0.0.0'), /expected a\.b\.c\.d\/len/);
});

test('the lowest free address skips the network, gateway and broadcast addresses and reuses released ones', () => {
  const s = parseSubnet('10.1.2.0/29'); // .0 network, .1 gateway, .2-.6 hosts, .7 broadcast
  const ip = (n: number) => parseIpv4(`10.1.2.${n}`);
  assert.equal(lowestFreeAddress(s, []), ip(2));
  assert.equal(lowestFreeAddress(s, [ip(2), ip(3)]), ip(4));
  assert.equal(lowestFreeAddress(s, [ip(2), ip(4)]), ip(3));
  assert.equal(lowestFreeAddress(s, [2, 3, 4, 5, 6].map(ip)), undefined);
});
