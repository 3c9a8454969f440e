import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { fakeApp } from '../testing/fake-app';
import type { container } from '@berth/proto';

const facts: container.HostInfo = {
  engineId: 'ID', name: 'host', ncpu: 2, memTotal: 1, kernelVersion: '6.1', operatingSystem: 'Debian', osVersion: '12',
  architecture: 'x86_64', cgroupVersion: '1', runcCommit: 'c', runcVersion: '1.1.5', backingFilesystem: 'extfs', dataRoot: '/var/lib/berth',
};

describe('the Engine API surface', () => {
  let app: NestFastifyApplication;
  before(async () => {
    app = await fakeApp({ system: { hostInfo: async () => facts, containerCounts: async () => ({ containers: 1, running: 1, paused: 0, stopped: 0 }), imageCounts: async () => ({ images: 2 }), eventFollowers: () => 0 } });
  });
  after(() => app.close());

  function assertIdentity(headers: Record<string, unknown>): void {
    assert.equal(headers['api-version'], '1.50');
    assert.equal(headers.ostype, 'linux');
    assert.match(String(headers.server), /^Docker\/\d+\.\d+\.\d+ \(linux\)$/);
  }

  test('_ping answers OK with Builder-Version and Swarm, GET and HEAD', async () => {
    const get = await app.inject({ method: 'GET', url: '/_ping' });
    assert.equal(get.statusCode, 200);
    assert.equal(get.body, 'OK');
    assertIdentity(get.headers);
    assert.equal(get.headers['builder-version'], '1');
    assert.equal(get.headers.swarm, 'inactive');
    const head = await app.inject({ method: 'HEAD', url: '/v1.41/_ping' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['builder-version'], '1');
    assert.equal(head.headers.swarm, 'inactive');
  });

  test('the version prefix is stripped; versions outside 1.24..1.50 are refused with dockerd\'s wording', async () => {
    for (const url of ['/version', '/v1.24/version', '/v1.41/version', '/v1.50/version']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.json().ApiVersion, '1.50');
      assertIdentity(res.headers);
    }
    const high = await app.inject({ method: 'GET', url: '/v1.51/version' });
    assert.equal(high.statusCode, 400);
    assert.deepEqual(high.json(), { message: 'client version 1.51 is too new. Maximum supported API version is 1.50' });
    assertIdentity(high.headers);
    const low = await app.inject({ method: 'GET', url: '/v1.23/_ping' });
    assert.equal(low.statusCode, 400);
    assert.match(low.json().message, /^client version 1.23 is too old. Minimum supported API version is 1.24/);
  });

  test('unknown paths and wrong methods are 404 page not found, with the identity headers', async () => {
    const cases: [string, string][] = [
      ['GET', '/nosuch'], ['GET', '/v1.45/nosuch/thing'], ['PUT', '/containers/json'], ['DELETE', '/_ping'],
      ['GET', '/containers/x/start'], ['POST', '/images/json'], ['GET', '/images/a/b/tag'], ['GET', '/images/a/b/nosuch'],
      ['POST', '/images/localhost:5000/a/b/json'], ['GET', '/images/x'], ['PUT', '/distribution/a/b/json'],
    ];
    for (const [method, url] of cases) {
      const res = await app.inject({ method: method as 'GET', url });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.deepEqual(res.json(), { message: 'page not found' }, `${method} ${url}`);
      assert.equal(res.headers['content-type'], 'application/json');
      assertIdentity(res.headers);
    }
  });

  test('a malformed JSON body is a 400, not a 500', async () => {
    const res = await app.inject({ method: 'POST', url: '/volumes/create', headers: { 'content-type': 'application/json' }, payload: '{' });
    assert.equal(res.statusCode, 400);
    assert.ok(res.json().message);
  });

  test('swarm areas answer as a dockerd that is not a manager', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1.45/services' });
    assert.equal(res.statusCode, 503);
    assert.match(res.json().message, /not a swarm manager/);
  });

  test('version carries the container host\'s facts, asked of container-service', async () => {
    const version = await app.inject({ method: 'GET', url: '/v1.45/version' });
    assert.equal(version.statusCode, 200);
    assert.equal(version.json().KernelVersion, '6.1');
    assert.deepEqual(version.json().Components.find((c: { Name: string }) => c.Name === 'runc'), { Name: 'runc', Version: '1.1.5', Details: { GitCommit: 'c' } });
    const info = (await app.inject({ method: 'GET', url: '/info' })).json();
    assert.equal(info.ID, 'ID');
    assert.equal(info.NCPU, 2);
    assert.equal(info.DockerRootDir, '/var/lib/berth');
    assert.equal(info.Containers, 1);
    assert.equal(info.Images, 2);
    assert.equal(info.Warnings, null);
  });
});

describe('docker info while container-service does not answer', () => {
  let app: NestFastifyApplication;
  before(async () => {
    app = await fakeApp({
      system: {
        hostInfo: async () => { throw new Error('cannot reach container-service'); },
        containerCounts: async () => { throw new Error('cannot reach container-service'); },
        imageCounts: async () => ({ images: 3 }),
        eventFollowers: () => 0,
      },
    });
  });
  after(() => app.close());

  test('info answers with what is known and one warning; version still answers', async () => {
    const info = await app.inject({ method: 'GET', url: '/info' });
    assert.equal(info.statusCode, 200);
    assert.equal(info.json().Images, 3);
    assert.equal(info.json().NCPU, 0);
    assert.equal(info.json().Warnings.length, 1);
    assert.match(info.json().Warnings[0], /container service did not answer/);
    assert.equal((await app.inject({ method: 'GET', url: '/version' })).statusCode, 200);
  });
});
