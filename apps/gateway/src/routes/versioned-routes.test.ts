import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { containerExec, network, volume } from '@berth/proto';
import type { ContainerCreateRequest } from '../backends/container.backend';
import { containerMessage } from '../testing/messages';
import { fakeApp } from '../testing/fake-app';

describe('what the API version decides, through the routes', () => {
  let app: NestFastifyApplication;
  const prunes: volume.PruneVolumesRequest[] = [];
  const execs: containerExec.CreateExecRequest[] = [];
  const creates: ContainerCreateRequest[] = [];
  const networkCreates: network.CreateNetworkRequest[] = [];
  before(async () => {
    app = await fakeApp({
      containers: {
        async create(req) {
          creates.push(req);
          return { id: 'c1', warnings: ['from the service'] };
        },
        async inspect({ id }) {
          const settings = { Networks: { net1: { Aliases: ['db'], DNSNames: ['web', 'db'] } } };
          return containerMessage('f'.repeat(64), { id: id === 'web' ? 'f'.repeat(64) : id, networkSettingsJson: JSON.stringify(settings), configJson: JSON.stringify({ Image: 'busybox', Hostname: 'h1' }) });
        },
      },
      networks: {
        async create(req) {
          networkCreates.push(req);
          return { id: 'n'.repeat(64), warning: '' };
        },
      },
      volumes: {
        async prune(req) {
          prunes.push(req);
          return { volumesDeleted: [], spaceReclaimed: 0 };
        },
        async remove() { /* removed */ },
      },
      exec: {
        async create(req) {
          execs.push(req);
          return { id: 'e1' };
        },
      },
    });
  });
  after(() => app.close());

  test('volume prune: only anonymous volumes from 1.42, unless all=true; the all filter is unknown before', async () => {
    const old = await app.inject({ method: 'POST', url: '/v1.41/volumes/prune' });
    assert.equal(old.statusCode, 200);
    assert.deepEqual(old.json(), { VolumesDeleted: null, SpaceReclaimed: 0 });
    assert.equal(prunes.at(-1)!.onlyAnonymous, false);
    await app.inject({ method: 'POST', url: '/v1.42/volumes/prune' });
    assert.equal(prunes.at(-1)!.onlyAnonymous, true);
    await app.inject({ method: 'POST', url: `/volumes/prune?filters=${encodeURIComponent('{"all":["true"]}')}` });
    assert.equal(prunes.at(-1)!.onlyAnonymous, false);
    const refused = await app.inject({ method: 'POST', url: `/v1.41/volumes/prune?filters=${encodeURIComponent('{"all":["true"]}')}` });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(refused.json(), { message: "invalid filter 'all'" });
  });

  test('exec create: 201, and ConsoleSize only from 1.42', async () => {
    const body = { Cmd: ['sh'], Tty: true, ConsoleSize: [30, 100] };
    const res = await app.inject({ method: 'POST', url: '/v1.41/containers/c1/exec', payload: body });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(res.json(), { Id: 'e1' });
    assert.equal(JSON.parse(execs.at(-1)!.configJson).ConsoleSize, undefined);
    await app.inject({ method: 'POST', url: '/v1.42/containers/c1/exec', payload: body });
    assert.deepEqual(JSON.parse(execs.at(-1)!.configJson).ConsoleSize, [30, 100]);
  });

  test('container create: several networks from 1.44 only; the MacAddress migration warns from 1.44', async () => {
    const two = { Image: 'busybox', HostConfig: { NetworkMode: 'a' }, NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } };
    const old = await app.inject({ method: 'POST', url: '/v1.43/containers/create', payload: two });
    assert.equal(old.statusCode, 400);
    assert.deepEqual(old.json(), { message: 'Container cannot be created with multiple network endpoints: a, b' });
    assert.equal((await app.inject({ method: 'POST', url: '/v1.44/containers/create', payload: two })).statusCode, 201);
    const mac = { Image: 'busybox', MacAddress: '02:42:ac:11:00:02', HostConfig: { NetworkMode: 'bridge' } };
    const res = await app.inject({ method: 'POST', url: '/v1.44/containers/create', payload: mac });
    assert.deepEqual(res.json().Warnings, ['from the service', 'The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.']);
    assert.deepEqual(creates.at(-1)!.networkingConfig, { EndpointsConfig: { bridge: { MacAddress: '02:42:ac:11:00:02' } } });
    await app.inject({ method: 'POST', url: '/v1.43/containers/create', payload: mac });
    assert.deepEqual(creates.at(-1)!.networkingConfig, { EndpointsConfig: { bridge: { MacAddress: '02:42:ac:11:00:02' } } });
    assert.equal((creates.at(-1)!.config as { MacAddress?: string }).MacAddress, '02:42:ac:11:00:02');
  });

  test('container inspect: user-network Aliases with the short ID and hostname before 1.45', async () => {
    const aliases = async (v: string) => (await app.inject({ method: 'GET', url: `/${v}/containers/web/json` })).json().NetworkSettings.Networks.net1.Aliases;
    assert.deepEqual(await aliases('v1.44'), ['db', 'ffffffffffff', 'h1']);
    assert.deepEqual(await aliases('v1.45'), ['db']);
  });

  test('network create: EnableIPv4 from 1.48 only', async () => {
    await app.inject({ method: 'POST', url: '/v1.47/networks/create', payload: { Name: 'n', EnableIPv4: false } });
    assert.equal(networkCreates.at(-1)!.enableIpv4, undefined);
    await app.inject({ method: 'POST', url: '/v1.48/networks/create', payload: { Name: 'n', EnableIPv4: false } });
    assert.equal(networkCreates.at(-1)!.enableIpv4, false);
  });

  test('volume remove answers 204', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/volumes/v1?force=1' });
    assert.equal(res.statusCode, 204);
  });
});
