import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { containerLogs } from '@berth/proto';
import { RpcError, startGrpcServer, RunningServer } from '@berth/rpc';
import { createLogger } from '@berth/logging';
import { ContainerExits } from '../containers/container-exits';
import { ContainerPaths } from '../containers/container-paths';
import type { ContainerManager } from '../containers/container-manager';
import type { ContainerRecord } from '../containers/container-record';
import { ContainerLogs } from '../logs';
import { demux, k8sTime, record } from '../logs/log-test-helpers';
import { ContainerLogsGrpcController } from './logs.grpc';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-logs-grpc-'));
const paths = new ContainerPaths(path.join(dir, 'data'), path.join(dir, 'run'));
const exits = new ContainerExits();
const records = new Map<string, ContainerRecord>();
const manager = {
  resolve(ref: string) {
    const r = records.get(ref);
    if (!r) throw RpcError.notFound(`No such container: ${ref}`);
    return { record: r, seq: 1 };
  },
} as unknown as ContainerManager;
let server: RunningServer;
let client: containerLogs.ContainerLogsClient;

function addContainer(id: string, status: 'running' | 'exited', lines: number): void {
  records.set(id, { Id: id, Name: id, Config: { Tty: false }, State: { Status: status } } as unknown as ContainerRecord);
  fs.mkdirSync(paths.dir(id), { recursive: true });
  let text = '';
  for (let i = 0; i < lines; i++) text += record(k8sTime(Date.UTC(2026, 0, 1) + i), 'stdout', 'F', `line ${i} ${'x'.repeat(100)}`);
  fs.writeFileSync(paths.log(id), text);
}

const request = (id: string, o: Partial<containerLogs.LogsRequest> = {}) => containerLogs.LogsRequest.fromPartial({ id, stdout: true, stderr: true, tail: -1, ...o });

/** ContainerLogs counting the chunks the service has read so far. */
class CountingLogs extends ContainerLogs {
  produced = 0;
  override open(...args: Parameters<ContainerLogs['open']>): ReturnType<ContainerLogs['open']> {
    const res = super.open(...args);
    const inner = res.chunks;
    const self = this;
    res.chunks = (async function* () {
      for await (const c of inner) {
        self.produced++;
        yield c;
      }
    })();
    return res;
  }
}
const logs = new CountingLogs(manager, paths, exits);

before(async () => {
  const controller = new ContainerLogsGrpcController(logs, createLogger('test', 'error'));
  server = await startGrpcServer(`unix:${path.join(dir, 'logs.sock')}`, [controller.binding()]);
  client = new containerLogs.ContainerLogsClient(`unix:${path.join(dir, 'logs.sock')}`, grpc.credentials.createInsecure());
});

after(async () => {
  client.close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('streams a whole log in large chunks, every chunk whole frames', async () => {
  addContainer('a', 'exited', 20000);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const call = client.logs(request('a'));
    call.on('data', (m: containerLogs.LogChunk) => chunks.push(m.data));
    call.on('end', resolve);
    call.on('error', reject);
  });
  assert.ok(chunks.length < 40, `${chunks.length} chunks`);
  const frames = chunks.flatMap((c) => demux(c));
  assert.equal(frames.length, 20000);
  assert.equal(frames[19999].data, `line 19999 ${'x'.repeat(100)}\n`);
});

test("dockerd's errors as gRPC statuses", async () => {
  const err = (req: containerLogs.LogsRequest) => new Promise<grpc.ServiceError>((resolve) => {
    const call = client.logs(req);
    call.on('data', () => undefined);
    call.on('error', resolve);
  });
  const missing = await err(request('nope'));
  assert.equal(missing.code, grpc.status.NOT_FOUND);
  assert.equal(missing.details, 'No such container: nope');
  const none = await err(request('a', { stdout: false, stderr: false }));
  assert.equal(none.code, grpc.status.INVALID_ARGUMENT);
  assert.equal(none.details, 'Bad parameters: you must choose at least one stream');
});

test('a client that goes away ends the follow in the service at once', async () => {
  addContainer('f', 'running', 3);
  const listeners = () => (exits as unknown as { emitter: { listenerCount(id: string): number } }).emitter.listenerCount('f');
  const call = client.logs(request('f', { follow: true }));
  const first = await new Promise<Buffer>((resolve) => call.once('data', (m: containerLogs.LogChunk) => resolve(m.data)));
  assert.equal(demux(first).length, 3);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(listeners(), 1, 'waiting for the exit notice');
  call.on('error', () => undefined);
  call.cancel();
  const deadline = Date.now() + 1000;
  while (listeners() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(listeners(), 0);
});

test('a slow reader holds the service back instead of filling its memory', async () => {
  addContainer('s', 'exited', 200000);
  const call = client.logs(request('s'));
  logs.produced = 0;
  let received = 0;
  call.on('data', (m: containerLogs.LogChunk) => { received += m.data.length; });
  call.on('error', () => undefined);
  call.pause();
  await new Promise((r) => setTimeout(r, 300));
  const whilePaused = logs.produced;
  call.resume();
  await new Promise<void>((resolve) => call.on('end', resolve));
  assert.ok(received > 20_000_000);
  // With the reader paused the service stops at gRPC's buffers (a few chunks), not after reading all ~180.
  assert.ok(whilePaused < 40 && logs.produced > 150, `${whilePaused} chunks read while paused, ${logs.produced} in all`);
});
