import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { containerExec, volume } from '@berth/proto';
import { fakeApp } from '../testing/fake-app';

describe('what the API version decides, through the routes', () => {
  let app: NestFastifyApplication;
  const prunes: volume.PruneVolumesRequest[] = [];
  const execs: containerExec.CreateExecRequest[] = [];
  before(async () => {
    app = await fakeApp({
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

  test('volume remove answers 204', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/volumes/v1?force=1' });
    assert.equal(res.statusCode, 204);
  });
});
