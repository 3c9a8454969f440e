import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { image } from '@berth/proto';
import { fakeApp, grpcError } from '../testing/fake-app';

const NOT_FOUND = 5;

function img(name: string): image.Image {
  return {
    id: 'sha256:abc', repoTags: [name], repoDigests: [], parent: '', size: 42, created: 0, containers: 0, lastTagTime: '',
    configJson: JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [] } }),
    layers: [],
  } as image.Image;
}

describe('image routes over a fake ImageBackend', () => {
  let app: NestFastifyApplication;
  const calls: string[] = [];
  const known = new Set(['busybox', 'localhost:5000/a/b:tag', 'localhost:5000/a/b:latest']);
  before(async () => {
    app = await fakeApp({
      images: {
        async inspect({ name }) {
          calls.push(`inspect ${name}`);
          if (!known.has(name)) throw grpcError(NOT_FOUND, `No such image: ${name}`);
          return img(name);
        },
        async history({ name }) {
          calls.push(`history ${name}`);
          return { entries: [{ id: 'sha256:abc', created: 1, createdBy: 'sh', tags: [], size: 0, comment: '' }] };
        },
        async tag(req) {
          calls.push(`tag ${req.source} ${req.repo} ${req.tag}`);
        },
        async remove({ name, force }) {
          calls.push(`remove ${name} ${force}`);
          return { items: [{ untagged: name, deleted: '' }, { untagged: '', deleted: 'sha256:abc' }] };
        },
        async list() {
          return { images: [img('busybox')] };
        },
        async pull(job, onProgress) {
          calls.push(`pull ${job.reference}`);
          if (job.reference.startsWith('docker.io/library/nosuch')) throw new Error('pull access denied for nosuch');
          onProgress([{ status: 'Pulling from library/busybox', id: 'latest' }]);
          return [{ status: 'Status: Downloaded newer image for busybox:latest' }];
        },
      },
      distribution: {
        async distributionInspect({ name }) {
          calls.push(`distribution ${name}`);
          return { descriptorJson: '{"digest":"sha256:abc"}', platformsJson: '[]' };
        },
      },
    });
  });
  after(() => app.close());

  test('per-image routes take names with slashes, a registry port and a tag', async () => {
    const inspect = await app.inject({ method: 'GET', url: '/v1.45/images/localhost:5000/a/b:tag/json' });
    assert.equal(inspect.statusCode, 200);
    assert.deepEqual(inspect.json().RepoTags, ['localhost:5000/a/b:tag']);
    assert.equal(calls.at(-1), 'inspect localhost:5000/a/b:tag');

    const history = await app.inject({ method: 'GET', url: '/images/localhost:5000/a/b:tag/history' });
    assert.equal(history.statusCode, 200);
    assert.equal(history.json()[0].Tags, null);
    assert.equal(calls.at(-1), 'history localhost:5000/a/b:tag');

    const tag = await app.inject({ method: 'POST', url: '/images/localhost:5000/a/b:tag/tag?repo=c/d&tag=v1' });
    assert.equal(tag.statusCode, 201);
    assert.equal(calls.at(-1), 'tag localhost:5000/a/b:tag c/d v1');

    const rm = await app.inject({ method: 'DELETE', url: '/v1.41/images/localhost:5000/a/b:tag?force=1' });
    assert.equal(rm.statusCode, 200);
    assert.deepEqual(rm.json(), [{ Untagged: 'localhost:5000/a/b:tag' }, { Deleted: 'sha256:abc' }]);
    assert.equal(calls.at(-1), 'remove localhost:5000/a/b:tag true');

    // A name that ends like an endpoint is still a name to DELETE.
    await app.inject({ method: 'DELETE', url: '/images/a/b/json' });
    assert.equal(calls.at(-1), 'remove a/b/json false');

    const dist = await app.inject({ method: 'GET', url: '/distribution/docker.io/library/busybox:latest/json' });
    assert.equal(dist.statusCode, 200);
    assert.equal(calls.at(-1), 'distribution docker.io/library/busybox:latest');
  });

  test('long references (past the router\'s default parameter length) still route', async () => {
    const name = `registry.example.com:5000/${'team/'.repeat(10)}image@sha256:${'a'.repeat(64)}`;
    const res = await app.inject({ method: 'GET', url: `/images/${name}/json` });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { message: `No such image: ${name}` });
  });

  test('a missing image is 404 with the service\'s wording; push of one says so as dockerd does', async () => {
    const missing = await app.inject({ method: 'GET', url: '/images/nosuch/json' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { message: 'No such image: nosuch' });
    const push = await app.inject({ method: 'POST', url: '/images/localhost:5000/nosuch/push?tag=v1' });
    assert.equal(push.statusCode, 404);
    assert.deepEqual(push.json(), { message: 'An image does not exist locally with the tag: localhost:5000/nosuch' });
  });

  test('VirtualSize before 1.44, ContainerConfig before 1.45', async () => {
    const old = (await app.inject({ method: 'GET', url: '/v1.43/images/busybox/json' })).json();
    assert.equal(old.VirtualSize, 42);
    assert.ok('ContainerConfig' in old);
    const mid = (await app.inject({ method: 'GET', url: '/v1.44/images/busybox/json' })).json();
    assert.equal(mid.VirtualSize, undefined);
    assert.ok('ContainerConfig' in mid);
    const now = (await app.inject({ method: 'GET', url: '/images/busybox/json' })).json();
    assert.equal(now.ContainerConfig, undefined);
    const list = (await app.inject({ method: 'GET', url: '/v1.41/images/json' })).json();
    assert.equal(list[0].VirtualSize, 42);
  });

  test('pull streams the job\'s progress as JSON lines; a failure arrives as errorDetail in a 200', async () => {
    const ok = await app.inject({ method: 'POST', url: '/images/create?fromImage=busybox&tag=latest' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['content-type'], 'application/json');
    assert.deepEqual(ok.body.trim().split('\n').map((l) => JSON.parse(l)), [
      { status: 'Pulling from library/busybox', id: 'latest' },
      { status: 'Status: Downloaded newer image for busybox:latest' },
    ]);
    assert.equal(calls.at(-1), 'pull docker.io/library/busybox:latest');
    const failed = await app.inject({ method: 'POST', url: '/images/create?fromImage=nosuch' });
    assert.equal(failed.statusCode, 200);
    assert.deepEqual(JSON.parse(failed.body.trim()), { errorDetail: { message: 'pull access denied for nosuch' }, error: 'pull access denied for nosuch' });
    const neither = await app.inject({ method: 'POST', url: '/images/create' });
    assert.equal(neither.statusCode, 400);
  });
});
