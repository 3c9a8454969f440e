import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EndpointView, endpointDnsNames, networkSettings } from './network-settings';

const sandbox = { sandboxId: 's'.repeat(64), sandboxKey: '/run/berth/netns/abc', ports: {} };
function ep(network: string, extra: Partial<EndpointView> = {}): EndpointView {
  return {
    network, networkId: 'n'.repeat(64), endpointId: 'e'.repeat(64), ipAddress: '', ipPrefixLen: 0, gateway: '', macAddress: '',
    requestedIpv4: '', aliases: [], links: [], dnsNames: null, driverOpts: {}, gwPriority: 0, ...extra,
  };
}

test("the default bridge: dockerd 28's field order, top-level address fields filled", () => {
  const s = networkSettings({ ...sandbox, endpoints: [ep('bridge', { ipAddress: '172.18.0.2', ipPrefixLen: 16, gateway: '172.18.0.1', macAddress: '02:11:22:33:44:55' })] });
  assert.deepEqual(Object.keys(s), [
    'Bridge', 'SandboxID', 'SandboxKey', 'Ports', 'HairpinMode', 'LinkLocalIPv6Address', 'LinkLocalIPv6PrefixLen',
    'SecondaryIPAddresses', 'SecondaryIPv6Addresses', 'EndpointID', 'Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen',
    'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'MacAddress', 'Networks',
  ]);
  assert.equal(s.IPAddress, '172.18.0.2');
  assert.equal(s.EndpointID, 'e'.repeat(64));
  assert.deepEqual(s.Ports, {});
  const e = (s.Networks as Record<string, Record<string, unknown>>).bridge;
  assert.deepEqual(Object.keys(e), [
    'IPAMConfig', 'Links', 'Aliases', 'MacAddress', 'DriverOpts', 'GwPriority', 'NetworkID', 'EndpointID', 'Gateway',
    'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'DNSNames',
  ]);
  assert.deepEqual(e, {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '02:11:22:33:44:55', DriverOpts: null, GwPriority: 0,
    NetworkID: 'n'.repeat(64), EndpointID: 'e'.repeat(64), Gateway: '172.18.0.1', IPAddress: '172.18.0.2', IPPrefixLen: 16,
    IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
  });
});

test('host and none: only the endpoint under Networks, no addresses', () => {
  for (const network of ['host', 'none']) {
    const s = networkSettings({ ...sandbox, endpoints: [ep(network)] });
    assert.equal(s.EndpointID, '');
    const nets = s.Networks as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(nets), [network]);
    assert.equal(nets[network].IPAddress, '');
  }
});

test('user networks: every endpoint under Networks in order, no top-level addresses, IPAMConfig/Aliases/Links/DNSNames filled', () => {
  const s = networkSettings({
    ...sandbox,
    ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
    endpoints: [
      ep('net1', { ipAddress: '10.61.1.5', ipPrefixLen: 24, gateway: '10.61.1.1', requestedIpv4: '10.61.1.5', aliases: ['db'], links: ['web:w'], dnsNames: ['c1', 'db', 'abcdef012345'] }),
      ep('net2', { ipAddress: '10.61.2.2', ipPrefixLen: 24, gateway: '10.61.2.1', dnsNames: ['c1'] }),
    ],
  });
  assert.equal(s.IPAddress, '');
  assert.equal(s.Gateway, '');
  assert.deepEqual(s.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
  const nets = s.Networks as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(nets), ['net1', 'net2']);
  assert.deepEqual(nets.net1.IPAMConfig, { IPv4Address: '10.61.1.5' });
  assert.deepEqual(nets.net1.Aliases, ['db']);
  assert.deepEqual(nets.net1.Links, ['web:w']);
  assert.deepEqual(nets.net1.DNSNames, ['c1', 'db', 'abcdef012345']);
  assert.equal(nets.net2.IPAMConfig, null);
});

test("DNSNames: name, aliases, short id, hostname, without repeats (dockerd 25+)", () => {
  const id = 'abcdef0123456789'.repeat(4);
  assert.deepEqual(endpointDnsNames('web', ['app', 'web'], id, 'abcdef012345'), ['web', 'app', 'abcdef012345']);
  assert.deepEqual(endpointDnsNames('web', [], id, 'myhost'), ['web', 'abcdef012345', 'myhost']);
});
