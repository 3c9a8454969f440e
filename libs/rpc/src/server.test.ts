import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { status } from '@grpc/grpc-js';
import { health, image } from '@berth/proto';
import { createClient, waitForReady } from './client';
import { RpcError } from './errors';
import { RunningServer, startGrpcServer, unary } from './server';

// The one binding helper every service's controllers use: handlers are
// plain async functions, what they throw reaches the caller as a status
// with Docker's wording, and the server answers gRPC health checks.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-rpc-'));
const address = `unix:${path.join(dir, 'svc.sock')}`;
let server: RunningServer;

const imageMessage = (id: string): image.Image => ({ id, repoTags: [], repoDigests: [], parent: '', configJson: '{}', size: 0, created: 0, containers: -1, lastTagTime: '', layers: [] });

before(async () => {
  const implementation = {
    inspect: unary(async (req: image.ImageName) => {
      if (req.name === 'ok') return imageMessage('sha256:ok');
      if (req.name === 'missing') throw RpcError.notFound('No such image: missing:latest');
      if (req.name === 'http') throw Object.assign(new Error('conflict: unable to delete'), { statusCode: 409 });
      if (req.name === 'relayed') throw Object.assign(new Error('x'), { code: status.PERMISSION_DENIED, details: 'denied by the registry' });
      throw new Error('disk on fire');
    }),
  } satisfies Partial<image.ImageServiceServer>;
  // A permissive umask: the server must still not let others connect.
  const umask = process.umask(0);
  try {
    server = await startGrpcServer(address, [{ definition: image.ImageServiceService, implementation }]);
  } finally {
    process.umask(umask);
  }
});

after(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a handler\'s answer and its errors reach the caller as statuses with their wording', async () => {
  const { raw, call } = createClient(image.ImageServiceClient, address);
  await waitForReady(raw, 5000);
  assert.equal((await call.inspect({ name: 'ok' })).id, 'sha256:ok');
  const failure = (name: string) => call.inspect({ name }).then(() => assert.fail('should fail'), (err: { code: number; details: string }) => [err.code, err.details]);
  assert.deepEqual(await failure('missing'), [status.NOT_FOUND, 'No such image: missing:latest']);
  assert.deepEqual(await failure('http'), [status.FAILED_PRECONDITION, 'conflict: unable to delete']);
  assert.deepEqual(await failure('relayed'), [status.PERMISSION_DENIED, 'denied by the registry'], 'an error from another service keeps its status');
  assert.deepEqual(await failure('boom'), [status.INTERNAL, 'disk on fire']);
  raw.close();
});

test('a unix socket is for its owner alone, whatever the umask', () => {
  assert.equal(fs.statSync(address.slice('unix:'.length)).mode & 0o777, 0o600);
});

test('every server answers gRPC health checks', async () => {
  const { raw, call } = createClient(health.HealthClient, address);
  assert.equal((await call.check({ service: '' })).status, health.HealthCheckResponse_ServingStatus.SERVING);
  raw.close();
});

test('a service that is gone is reported as unavailable, naming the address', async () => {
  const { raw, call } = createClient(image.ImageServiceClient, `unix:${path.join(dir, 'nobody.sock')}`);
  await assert.rejects(call.inspect({ name: 'ok' }, { timeoutMs: 3000 }), (err: { code: number; details: string }) => err.code === status.UNAVAILABLE && /cannot reach unix:.*nobody\.sock/.test(err.details));
  raw.close();
});
