import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatSubnet } from '../ipam/ipv4';
import { loadNetworkConfig } from './network-config';

test('defaults: berth0 on 172.18.0.0/16, namespaces under the run root', () => {
  const c = loadNetworkConfig('/run/berth', '/var/lib/berth', {});
  assert.equal(c.bridgeName, 'berth0');
  assert.equal(formatSubnet(c.subnet), '172.18.0.0/16');
  assert.equal(c.netnsDir, '/run/berth/netns');
  assert.equal(c.stateDir, '/var/lib/berth/network');
});

test('BERTH_BRIDGE_NAME and BERTH_BRIDGE_SUBNET are validated', () => {
  const c = loadNetworkConfig('/r', '/d', { BERTH_BRIDGE_NAME: 'bt0a1b2c', BERTH_BRIDGE_SUBNET: '10.200.7.0/24' });
  assert.equal(c.bridgeName, 'bt0a1b2c');
  assert.equal(formatSubnet(c.subnet), '10.200.7.0/24');
  assert.throws(() => loadNetworkConfig('/r', '/d', { BERTH_BRIDGE_NAME: 'a-name-longer-than-15' }), /BERTH_BRIDGE_NAME/);
  assert.throws(() => loadNetworkConfig('/r', '/d', { BERTH_BRIDGE_NAME: 'a/b' }), /BERTH_BRIDGE_NAME/);
  assert.throws(() => loadNetworkConfig('/r', '/d', { BERTH_BRIDGE_SUBNET: '10.200.7.1/24' }), /BERTH_BRIDGE_SUBNET: .*host bits/);
});

test('BERTH_DEFAULT_ADDRESS_POOLS is read and checked', () => {
  const c = loadNetworkConfig('/r', '/d', { BERTH_DEFAULT_ADDRESS_POOLS: 'base=10.61.0.0/16,size=24' });
  assert.deepEqual(c.addressPools.map((p) => [formatSubnet(p.base), p.size]), [['10.61.0.0/16', 24]]);
  assert.equal(loadNetworkConfig('/r', '/d', {}).addressPools[0].size, 16);
  assert.throws(() => loadNetworkConfig('/r', '/d', { BERTH_DEFAULT_ADDRESS_POOLS: 'nonsense' }), /BERTH_DEFAULT_ADDRESS_POOLS/);
});
