import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { container } from '@berth/proto';
import type { ContainerCreateRequest } from '../backends/container.backend';
import { fakeApp, grpcError } from '../testing/fake-app';
import { containerMessage } from '../testing/messages';

const GRPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, INTERNAL: 13 };

describe('container routes over a fake ContainerBackend', () => {
  let app: NestFastifyApplication;
  const created: ContainerCreateRequest[] = [];
  const running = new Set<string>(['up']);
  const removed: container.RemoveContainerRequest[] = [];
  before(async () => {
    app = await fakeApp({
      containers: {
        async create(req) {
          created.push(req);
          if (req.image === 'missing') throw grpcError(GRPC.NOT_FOUND, 'No such image: missing:latest');
          if (req.name === 'taken') throw grpcError(GRPC.ALREADY_EXISTS, 'Conflict. The container name "/taken" is already in use');
          return { id: 'c0ffee', warnings: [] };
        },
        async start({ id }) {
          if (id === 'nosuch') throw grpcError(GRPC.NOT_FOUND, 'No such container: nosuch');
          if (id === 'paused') throw grpcError(GRPC.FAILED_PRECONDITION, 'cannot start a paused container, try unpause instead');
          if (id === 'broken') throw grpcError(GRPC.INTERNAL, 'runc failed');
          const changed = !running.has(id);
          running.add(id);
          return { changed };
        },
        async stop({ id }) {
          const changed = running.delete(id);
          return { changed };
        },
        async remove(req) {
          removed.push(req);
        },
        async rename({ name }) {
          if (name === '') throw grpcError(GRPC.INVALID_ARGUMENT, 'Error when allocating new name: Invalid container name ()');
        },
        async inspect({ id }) {
          if (id === 'nosuch') throw grpcError(GRPC.NOT_FOUND, 'No such container: nosuch');
          return containerMessage(id);
        },
        wait() {
          return { result: Promise.resolve({ statusCode: 3, error: '' }), cancel: () => undefined };
        },
      },
    });
  });
  after(() => app.close());

  test('create answers 201 with the ID; the body is split as dockerd splits it', async () => {
    const res = await app.inject({
      method: 'POST', url: '/v1.45/containers/create?name=web&platform=linux/amd64',
      payload: { Image: 'busybox', Cmd: ['true'], HostConfig: { AutoRemove: true }, NetworkingConfig: null },
    });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(res.json(), { Id: 'c0ffee', Warnings: [] });
    assert.deepEqual(created.at(-1), {
      name: 'web', platform: 'linux/amd64', image: 'busybox',
      config: { Image: 'busybox', Cmd: ['true'] }, hostConfig: { AutoRemove: true }, networkingConfig: {},
    });
  });

  test('create refuses what dockerd refuses, before any backend call', async () => {
    const before = created.length;
    const empty = await app.inject({ method: 'POST', url: '/containers/create' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(empty.json(), { message: 'config cannot be empty in order to create a container' });
    const noImage = await app.inject({ method: 'POST', url: '/containers/create', payload: { Cmd: ['true'] } });
    assert.equal(noImage.statusCode, 400);
    assert.deepEqual(noImage.json(), { message: 'No image specified' });
    const badHost = await app.inject({ method: 'POST', url: '/containers/create', payload: { Image: 'busybox', HostConfig: [] } });
    assert.equal(badHost.statusCode, 400);
    assert.match(badHost.json().message, /cannot unmarshal array into Go struct field CreateRequest.HostConfig/);
    const notJson = await app.inject({ method: 'POST', url: '/containers/create', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    assert.equal(notJson.statusCode, 400);
    assert.match(notJson.json().message, /must be 'application\/json'/);
    assert.equal(created.length, before);
  });

  test('gRPC errors become their HTTP status with the service\'s own message', async () => {
    const missing = await app.inject({ method: 'POST', url: '/containers/create', payload: { Image: 'missing' } });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { message: 'No such image: missing:latest' });
    assert.equal(missing.headers['content-type'], 'application/json');
    const taken = await app.inject({ method: 'POST', url: '/containers/create?name=taken', payload: { Image: 'busybox' } });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.json().message, /already in use/);
    const cases: [string, number, string][] = [
      ['/containers/nosuch/start', 404, 'No such container: nosuch'],
      ['/containers/paused/start', 409, 'cannot start a paused container, try unpause instead'],
      ['/containers/broken/start', 500, 'runc failed'],
      ['/containers/x/rename?name=', 400, 'Error when allocating new name: Invalid container name ()'],
    ];
    for (const [url, status, message] of cases) {
      const res = await app.inject({ method: 'POST', url });
      assert.equal(res.statusCode, status, url);
      assert.deepEqual(res.json(), { message }, url);
    }
  });

  test('start and stop answer 204, or 304 when the container already is so', async () => {
    const start = await app.inject({ method: 'POST', url: '/containers/down/start' });
    assert.equal(start.statusCode, 204);
    assert.equal(start.body, '');
    assert.equal((await app.inject({ method: 'POST', url: '/containers/down/start' })).statusCode, 304);
    assert.equal((await app.inject({ method: 'POST', url: '/v1.41/containers/down/stop?t=1' })).statusCode, 204);
    assert.equal((await app.inject({ method: 'POST', url: '/containers/down/stop' })).statusCode, 304);
    const badT = await app.inject({ method: 'POST', url: '/containers/down/stop?t=soon' });
    assert.equal(badT.statusCode, 400);
  });

  test('remove answers 204 and passes force and v', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/containers/old?force=1&v=true' });
    assert.equal(res.statusCode, 204);
    assert.deepEqual(removed.at(-1), { id: 'old', force: true, removeVolumes: true });
  });

  test('wait answers 200 with the exit code; a missing container is a 404 before the 200', async () => {
    const res = await app.inject({ method: 'POST', url: '/containers/up/wait?condition=next-exit' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { StatusCode: 3, Error: null });
    const missing = await app.inject({ method: 'POST', url: '/containers/nosuch/wait' });
    assert.equal(missing.statusCode, 404);
    const bad = await app.inject({ method: 'POST', url: '/containers/up/wait?condition=later' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { message: 'invalid condition: "later"' });
  });
});
