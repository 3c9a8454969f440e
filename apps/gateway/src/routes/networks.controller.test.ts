import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { container, network } from '@berth/proto';
import { fakeApp, grpcError } from '../testing/fake-app';

const GRPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12 };
const ID = 'a'.repeat(64);
const CTR = 'c'.repeat(64);

function net(over: Partial<network.Network> = {}): network.Network {
  return {
    name: 'net1', id: ID, created: '2026-12-03T18:00:00.123456789Z', scope: 'local', driver: 'bridge',
    enableIpv4: true, enableIpv6: false, ipamDriver: 'default',
    ipamConfig: [{ subnet: '10.64.1.0/24', ipRange: '', gateway: '10.64.1.1', auxiliaryAddresses: {} }],
    ipamOptions: {}, internal: false, attachable: false, ingress: false, configFrom: '', configOnly: false,
    options: {}, labels: { team: 'a' }, containers: [],
    ...over,
  };
}

describe('network routes over a fake NetworkBackend', () => {
  let app: NestFastifyApplication;
  const lists: network.ListNetworksRequest[] = [];
  const creates: network.CreateNetworkRequest[] = [];
  const refs: network.NetworkRef[] = [];
  const removed: network.NetworkRef[] = [];
  const prunes: network.PruneNetworksRequest[] = [];
  const connects: container.ConnectContainerNetworkRequest[] = [];
  const disconnects: container.DisconnectContainerNetworkRequest[] = [];
  before(async () => {
    app = await fakeApp({
      networks: {
        async list(req) {
          lists.push(req);
          // A list entry with endpoints still shows Containers {} (dockerd lists them only before 1.28).
          const endpoint = { containerId: CTR, name: 'web', endpointId: 'e'.repeat(64), macAddress: '', ipv4Address: '', ipv6Address: '' };
          return { networks: [net({ name: 'bridge', id: 'b'.repeat(64), labels: {}, options: { 'com.docker.network.bridge.default_bridge': 'true' } }), net({ containers: [endpoint] })] };
        },
        async inspect(req) {
          refs.push(req);
          if (req.id === 'nosuch') throw grpcError(GRPC.NOT_FOUND, 'network nosuch not found');
          return net({
            containers: [{ containerId: CTR, name: 'web', endpointId: 'e'.repeat(64), macAddress: '02:42:0a:40:01:02', ipv4Address: '10.64.1.2/24', ipv6Address: '' }],
          });
        },
        async create(req) {
          creates.push(req);
          if (req.name === 'dup') throw grpcError(GRPC.ALREADY_EXISTS, 'network with name dup already exists');
          return { id: ID, warning: '' };
        },
        async remove(req) {
          removed.push(req);
          if (req.id === 'host') throw grpcError(GRPC.PERMISSION_DENIED, 'host is a pre-defined network and cannot be removed');
        },
        async prune(req) {
          prunes.push(req);
          return { networksDeleted: prunes.length === 1 ? [] : ['net1', 'net2'] };
        },
        async connect(req) {
          connects.push(req);
          if (req.container === 'nosuch') throw grpcError(GRPC.NOT_FOUND, 'No such container: nosuch');
        },
        async disconnect(req) {
          disconnects.push(req);
        },
      },
    });
  });
  after(() => app.close());

  test('list: dockerd\'s Network shape in its field order, Containers {} in a list', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1.47/networks' });
    assert.equal(res.statusCode, 200);
    const [bridge, user] = res.json() as Record<string, unknown>[];
    assert.deepEqual(Object.keys(user!), [
      'Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress',
      'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels',
    ]);
    assert.deepEqual(user, {
      Name: 'net1', Id: ID, Created: '2026-12-03T18:00:00.123456789Z', Scope: 'local', Driver: 'bridge', EnableIPv4: true, EnableIPv6: false,
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.64.1.0/24', Gateway: '10.64.1.1' }] },
      Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
      Containers: {}, Options: {}, Labels: { team: 'a' },
    });
    // The engine's own networks were made without IPAM options: null, as dockerd shows them.
    assert.equal((bridge!.IPAM as { Options: unknown }).Options, null);
    assert.deepEqual(bridge!.Options, { 'com.docker.network.bridge.default_bridge': 'true' });
  });

  test('list: filters are passed on; an unknown filter is dockerd\'s 400', async () => {
    const filters = encodeURIComponent(JSON.stringify({ name: { net1: true }, dangling: ['true'], type: ['custom'] }));
    assert.equal((await app.inject({ method: 'GET', url: `/networks?filters=${filters}` })).statusCode, 200);
    assert.deepEqual(lists.at(-1), { filters: [{ key: 'name', values: ['net1'] }, { key: 'dangling', values: ['true'] }, { key: 'type', values: ['custom'] }] });
    const bad = await app.inject({ method: 'GET', url: `/networks?filters=${encodeURIComponent('{"colour":["red"]}')}` });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { message: "invalid filter 'colour'" });
  });

  test('list before 1.28 carries each network\'s containers, as an inspect does', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1.27/networks' });
    const nets = res.json() as { Containers: Record<string, unknown> }[];
    assert.equal(nets.length, 2);
    assert.deepEqual(Object.keys(nets[1]!.Containers), [CTR]);
  });

  test('inspect: by name, ID or prefix as given; Containers by container ID; verbose and scope passed', async () => {
    const res = await app.inject({ method: 'GET', url: '/networks/net1?verbose=true&scope=local' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(refs.at(-1), { id: 'net1', verbose: true, scope: 'local' });
    assert.deepEqual(res.json().Containers, {
      [CTR]: { Name: 'web', EndpointID: 'e'.repeat(64), MacAddress: '02:42:0a:40:01:02', IPv4Address: '10.64.1.2/24', IPv6Address: '' },
    });
    const missing = await app.inject({ method: 'GET', url: '/networks/nosuch' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { message: 'network nosuch not found' });
    const badVerbose = await app.inject({ method: 'GET', url: '/networks/net1?verbose=yes' });
    assert.equal(badVerbose.statusCode, 400);
    assert.deepEqual(badVerbose.json(), { message: 'invalid value for verbose: yes: strconv.ParseBool: parsing "yes": invalid syntax' });
  });

  test('create: 201 {Id, Warning}; the body decoded as Go does (any case, unknown fields dropped)', async () => {
    const res = await app.inject({
      method: 'POST', url: '/networks/create',
      payload: {
        name: 'net1', CheckDuplicate: true, driver: 'bridge', Internal: true, Attachable: true, EnableIPv6: false, Unknown: 1,
        IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.64.2.0/24', IPRange: '10.64.2.128/25', Gateway: '10.64.2.1', AuxiliaryAddresses: { host1: '10.64.2.5' } }] },
        Options: { 'com.docker.network.bridge.name': 'br-x' }, Labels: { a: 'b' },
      },
    });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(res.json(), { Id: ID, Warning: '' });
    assert.deepEqual(creates.at(-1), {
      name: 'net1', driver: 'bridge', internal: true, attachable: true, ingress: false, enableIpv4: undefined, enableIpv6: false,
      ipamDriver: 'default', ipamConfig: [{ subnet: '10.64.2.0/24', ipRange: '10.64.2.128/25', gateway: '10.64.2.1', auxiliaryAddresses: { host1: '10.64.2.5' } }],
      ipamOptions: {}, options: { 'com.docker.network.bridge.name': 'br-x' }, labels: { a: 'b' }, configOnly: false, configFrom: '', scope: '',
    });
  });

  test('create: EnableIPv4 is read from 1.48 only', async () => {
    await app.inject({ method: 'POST', url: '/v1.47/networks/create', payload: { Name: 'n4', EnableIPv4: false } });
    assert.equal(creates.at(-1)!.enableIpv4, undefined);
    await app.inject({ method: 'POST', url: '/v1.48/networks/create', payload: { Name: 'n4', EnableIPv4: false } });
    assert.equal(creates.at(-1)!.enableIpv4, false);
  });

  test('create refuses what dockerd refuses before the service is asked', async () => {
    const count = creates.length;
    const cases: [unknown, number, string | RegExp][] = [
      [undefined, 400, 'invalid name: name is empty'],
      [{ Name: '  ' }, 400, 'invalid name: name is empty'],
      [{ Name: 'bridge' }, 403, 'operation is not permitted on predefined bridge network '],
      [{ Name: 'host' }, 403, 'operation is not permitted on predefined host network '],
      [{ Name: 'x', Internal: 'yes' }, 400, /^invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.Internal of type bool$/],
      [{ Name: 'x', IPAM: { Config: [{ Subnet: 10 }] } }, 400, /cannot unmarshal number into Go struct field IPAMConfig.IPAM.Config.Subnet of type string/],
    ];
    for (const [payload, status, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/networks/create', ...(payload === undefined ? {} : { payload: payload as object }) });
      assert.equal(res.statusCode, status, JSON.stringify(payload));
      if (typeof message === 'string') assert.deepEqual(res.json(), { message });
      else assert.match(res.json().message, message);
    }
    assert.equal(creates.length, count);
    const dup = await app.inject({ method: 'POST', url: '/networks/create', payload: { Name: 'dup' } });
    assert.equal(dup.statusCode, 409);
    assert.deepEqual(dup.json(), { message: 'network with name dup already exists' });
  });

  test('remove answers 204; a predefined network is the service\'s 403', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/networks/net1' });
    assert.equal(res.statusCode, 204);
    assert.deepEqual(removed.at(-1), { id: 'net1', verbose: false, scope: '' });
    const host = await app.inject({ method: 'DELETE', url: '/networks/host' });
    assert.equal(host.statusCode, 403);
    assert.deepEqual(host.json(), { message: 'host is a pre-defined network and cannot be removed' });
  });

  test('prune: NetworksDeleted null when none; filters until/label passed, others refused', async () => {
    const none = await app.inject({ method: 'POST', url: '/networks/prune' });
    assert.equal(none.statusCode, 200);
    assert.deepEqual(none.json(), { NetworksDeleted: null });
    const some = await app.inject({ method: 'POST', url: `/networks/prune?filters=${encodeURIComponent('{"until":["10m"],"label!":["keep"]}')}` });
    assert.deepEqual(some.json(), { NetworksDeleted: ['net1', 'net2'] });
    assert.deepEqual(prunes.at(-1), { filters: [{ key: 'until', values: ['10m'] }, { key: 'label!', values: ['keep'] }] });
    const bad = await app.inject({ method: 'POST', url: `/networks/prune?filters=${encodeURIComponent('{"name":["x"]}')}` });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { message: "invalid filter 'name'" });
  });

  test('connect: 200 with no body; EndpointConfig goes to container-service as JSON', async () => {
    const res = await app.inject({
      method: 'POST', url: '/networks/net1/connect',
      payload: { container: 'web', EndpointConfig: { IPAMConfig: { IPv4Address: '10.64.1.9' }, Aliases: ['db'], Links: ['other:o'], MacAddress: '02:42:ac:11:00:09', DriverOpts: { k: 'v' } } },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, '');
    assert.deepEqual(connects.at(-1)!.container, 'web');
    assert.deepEqual(connects.at(-1)!.network, 'net1');
    assert.deepEqual(JSON.parse(connects.at(-1)!.endpointConfigJson), {
      IPAMConfig: { IPv4Address: '10.64.1.9' }, Aliases: ['db'], Links: ['other:o'], MacAddress: '02:42:ac:11:00:09', DriverOpts: { k: 'v' },
    });
    await app.inject({ method: 'POST', url: '/networks/net1/connect', payload: { Container: 'web' } });
    assert.equal(connects.at(-1)!.endpointConfigJson, '');
    const missing = await app.inject({ method: 'POST', url: '/networks/net1/connect', payload: { Container: 'nosuch' } });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { message: 'No such container: nosuch' });
    const badType = await app.inject({ method: 'POST', url: '/networks/net1/connect', payload: { Container: 'web', EndpointConfig: { Aliases: 'db' } } });
    assert.equal(badType.statusCode, 400);
  });

  test('disconnect: 200, Container and Force passed', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1.41/networks/net1/disconnect', payload: { Container: 'web', Force: true } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(disconnects.at(-1), { container: 'web', network: 'net1', force: true });
  });
});

describe('docker system prune\'s last call', () => {
  let app: NestFastifyApplication;
  before(async () => { app = await fakeApp({}); });
  after(() => app.close());

  test('build cache prune answers an empty report (Berth keeps no build cache)', async () => {
    const res = await app.inject({ method: 'POST', url: `/v1.50/build/prune?filters=${encodeURIComponent('{}')}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { CachesDeleted: null, SpaceReclaimed: 0 });
  });
});
