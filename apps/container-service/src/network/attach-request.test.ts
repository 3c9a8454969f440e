import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { ContainerRecord } from '../containers/container-record';
import { attachRequest } from './attach-request';

function record(hc: Record<string, unknown>, endpoints: Record<string, unknown>, config: Record<string, unknown> = {}): ContainerRecord {
  return {
    Id: 'a'.repeat(64), Name: 'web', Created: '', Path: 'sh', Args: [], ImageName: 'busybox', Image: '', Platform: 'linux', State: { Status: 'created' },
    Config: { Hostname: 'aaaaaaaaaaaa', ...config }, HostConfig: hc as ContainerRecord['HostConfig'], NetworkingConfig: { EndpointsConfig: endpoints as never },
  };
}

test('the Attach request from the record: endpoints in order, bindings, -P, exposed ports and DNS', () => {
  const req = attachRequest(record(
    { NetworkMode: 'net1', PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }, { HostIp: '', HostPort: '' }], '53': null }, PublishAllPorts: true, Dns: ['10.65.0.53'], DnsSearch: ['example'], DnsOptions: ['ndots:2'], ExtraHosts: ['h:1.2.3.4'] },
    {
      net1: { Aliases: ['alias-web'], IPAMConfig: { IPv4Address: '10.65.1.9' }, MacAddress: '02:42:ac:11:00:09', Links: ['/db:/web/data', 'cache'], DriverOpts: { a: 'b' }, NetworkID: 'x' },
      net2: { Aliases: null, IPAMConfig: null, Links: null },
    },
    { ExposedPorts: { '80/tcp': {}, '9000': {} }, Domainname: 'example.org' },
  ));
  assert.equal(req.networkMode, 'net1');
  assert.equal(req.containerName, 'web');
  assert.equal(req.hostname, 'aaaaaaaaaaaa');
  assert.equal(req.domainname, 'example.org');
  assert.deepEqual(req.extraHosts, ['h:1.2.3.4']);
  assert.deepEqual(req.endpoints.map((e) => e.network), ['net1', 'net2']);
  assert.deepEqual(req.endpoints[0], {
    network: 'net1', aliases: ['alias-web'], ipv4Address: '10.65.1.9', ipv6Address: '', macAddress: '02:42:ac:11:00:09',
    links: ['db:data', 'cache:cache'], driverOpts: { a: 'b' }, gwPriority: 0, linkLocalIps: [],
  });
  assert.deepEqual(req.endpoints[1].aliases, []);
  // (a JSON object's integer-like key comes first)
  assert.deepEqual(req.portBindings, [
    { containerPort: '53/tcp', hostIp: '', hostPort: '' },
    { containerPort: '80/tcp', hostIp: '127.0.0.1', hostPort: '8080' },
    { containerPort: '80/tcp', hostIp: '', hostPort: '' },
  ]);
  assert.equal(req.publishAllPorts, true);
  assert.deepEqual(req.exposedPorts.sort(), ['80/tcp', '9000/tcp']);
  assert.deepEqual([req.dns, req.dnsSearch, req.dnsOptions], [['10.65.0.53'], ['example'], ['ndots:2']]);
});

test('host and none: no endpoints and no ports', () => {
  const req = attachRequest(record({ NetworkMode: 'host', PortBindings: {}, PublishAllPorts: true }, { host: { NetworkID: 'h' } }, { ExposedPorts: { '80/tcp': {} } }));
  assert.equal(req.networkMode, 'host');
  assert.deepEqual(req.endpoints, []);
  assert.deepEqual(req.portBindings, []);
  assert.equal(req.publishAllPorts, false);
  assert.deepEqual(req.exposedPorts, []);
});
