import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { health } from '@berth/proto';
import { HealthTimeoutError, pingGateway, pollUntil, waitForGatewayPing, waitForGrpcHealth } from './health';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'health-'));
}

test('pollUntil retries until the probe succeeds', async () => {
  let n = 0;
  await pollUntil('thing', async () => ++n >= 3, Date.now() + 5000);
  assert.equal(n, 3);
});

test('pollUntil times out with the last failure', async () => {
  await assert.rejects(
    pollUntil('thing', async () => { throw new Error('connection refused'); }, Date.now() + 300),
    (err: unknown) => err instanceof HealthTimeoutError && /thing not healthy in time: connection refused/.test(err.message),
  );
});

test('pollUntil stops when aborted', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('child died')), 100);
  await assert.rejects(pollUntil('thing', async () => false, Date.now() + 10_000, ac.signal), /child died/);
});

test('gRPC health is awaited until the server comes up', async () => {
  const dir = tmpdir();
  const address = `unix:${path.join(dir, 'svc.sock')}`;
  const server = new Server();
  server.addService(health.HealthService, {
    check: (_call: unknown, cb: (e: null, r: health.HealthCheckResponse) => void) => cb(null, { status: health.HealthCheckResponse_ServingStatus.SERVING }),
  });
  try {
    // Bind only after the waiter started polling a socket that does not exist yet.
    const waiting = waitForGrpcHealth(address, Date.now() + 10_000);
    await new Promise((r) => setTimeout(r, 300));
    await new Promise<number>((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const started = Date.now();
    await waiting;
    assert.ok(Date.now() - started < 2000, 'noticed the server quickly');
  } finally {
    server.forceShutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the gateway is healthy when /_ping answers 200 OK', async () => {
  const dir = tmpdir();
  const socketPath = path.join(dir, 'gw.sock');
  let okay = false;
  const server = http.createServer((req, res) => {
    if (req.url === '/_ping' && okay) { res.end('OK'); return; }
    res.statusCode = 500;
    res.end('not yet');
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  try {
    assert.equal(await pingGateway({ kind: 'unix', socketPath }, 1000), false);
    setTimeout(() => { okay = true; }, 200);
    await waitForGatewayPing({ kind: 'unix', socketPath }, Date.now() + 5000);
  } finally {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
