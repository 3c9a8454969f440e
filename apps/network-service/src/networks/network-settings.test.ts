import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { networkSettings } from './network-settings';

const base = { networkId: 'n'.repeat(64), endpointId: 'e'.repeat(64), sandboxId: 's'.repeat(64), sandboxKey: '/run/berth/netns/abc' };

test("the default bridge: dockerd 28's field order, top-level address fields filled", () => {
  const s = networkSettings({ ...base, network: 'bridge', ipAddress: '172.18.0.2', ipPrefixLen: 16, gateway: '172.18.0.1', macAddress: '02:11:22:33:44:55' });
  assert.deepEqual(Object.keys(s), [
    'Bridge', 'SandboxID', 'SandboxKey', 'Ports', 'HairpinMode', 'LinkLocalIPv6Address', 'LinkLocalIPv6PrefixLen',
    'SecondaryIPAddresses', 'SecondaryIPv6Addresses', 'EndpointID', 'Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen',
    'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'MacAddress', 'Networks',
  ]);
  assert.equal(s.IPAddress, '172.18.0.2');
  assert.equal(s.EndpointID, base.endpointId);
  assert.deepEqual(s.Ports, {});
  const ep = (s.Networks as Record<string, Record<string, unknown>>).bridge;
  assert.deepEqual(Object.keys(ep), [
    'IPAMConfig', 'Links', 'Aliases', 'MacAddress', 'DriverOpts', 'GwPriority', 'NetworkID', 'EndpointID', 'Gateway',
    'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'DNSNames',
  ]);
  assert.deepEqual(ep, {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '02:11:22:33:44:55', DriverOpts: null, GwPriority: 0,
    NetworkID: base.networkId, EndpointID: base.endpointId, Gateway: '172.18.0.1', IPAddress: '172.18.0.2', IPPrefixLen: 16,
    IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
  });
});

test('host and none: only the endpoint under Networks, no addresses', () => {
  for (const network of ['host', 'none']) {
    const s = networkSettings({ ...base, network, ipAddress: '', ipPrefixLen: 0, gateway: '', macAddress: '' });
    assert.equal(s.EndpointID, '');
    assert.equal(s.IPAddress, '');
    const nets = s.Networks as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(nets), [network]);
    assert.equal(nets[network].EndpointID, base.endpointId);
    assert.equal(nets[network].NetworkID, base.networkId);
    assert.equal(nets[network].IPAddress, '');
  }
});
