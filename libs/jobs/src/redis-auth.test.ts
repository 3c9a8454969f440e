import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import Redis from 'ioredis';
import { EventPublisher, createRedis, lastEventId, readAfter } from '@berth/events';
import { QUEUES } from './payloads';
import { redisConnectionOptions } from './connection';
import { REDIS_ACL_RULES } from './acl';

// A Redis that Berth does not start itself has a password (an ACL user, the
// default user off) and, when it is reached over the network, TLS. Every
// client Berth makes (the events stream, BullMQ queues and workers) must
// honour what REDIS_URL, BERTH_REDIS_PASSWORD_FILE and BERTH_REDIS_TLS_CA say.

const haveRedis = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((p) => fs.existsSync(p));
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const PASSWORD = 'p@ss/w:rd?&=x';
const REDIS_VARS = ['BERTH_REDIS_PASSWORD_FILE', 'BERTH_REDIS_TLS_CA'];
const savedEnv = Object.fromEntries(REDIS_VARS.map((k) => [k, process.env[k]]));

let root = '';
let socket = '';
let tlsPort = 0;
let redis: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  if (!haveRedis) return;
  root = fs.mkdtempSync('/tmp/berth-redis-auth-');
  socket = path.join(root, 'redis.sock');
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'gen-certs.sh'), path.join(root, 'certs'), 'redis'], { stdio: 'ignore' });
  fs.writeFileSync(path.join(root, 'users.acl'), `user default off\nuser berth on >${PASSWORD} ${REDIS_ACL_RULES}\n`, { mode: 0o600 });
  tlsPort = await freePort();
  redis = spawn('redis-server', [
    '--port', '0', '--unixsocket', socket, '--unixsocketperm', '600',
    '--tls-port', String(tlsPort), '--bind', '127.0.0.1',
    '--tls-cert-file', path.join(root, 'certs', 'redis.pem'), '--tls-key-file', path.join(root, 'certs', 'redis-key.pem'),
    '--tls-ca-cert-file', path.join(root, 'certs', 'ca.pem'), '--tls-auth-clients', 'no',
    '--aclfile', path.join(root, 'users.acl'), '--dir', root, '--save', '', '--appendonly', 'no',
  ], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(socket)) {
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  if (redis?.pid && redis.exitCode === null) {
    const exited = new Promise((r) => redis!.once('exit', r));
    process.kill(redis.pid, 'SIGTERM');
    await exited;
  }
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const enc = encodeURIComponent(PASSWORD);

async function ping(client: Redis): Promise<string> {
  client.on('error', () => { /* the rejected command says it */ });
  try {
    return await client.ping();
  } finally {
    client.disconnect();
  }
}

/** Events appended and read back, and one job through a queue and a worker, all on this URL. */
async function eventsAndQueues(url: string): Promise<void> {
  const pub = createRedis(url, { maxRetriesPerRequest: 1 });
  const sub = createRedis(url, { maxRetriesPerRequest: 1 });
  const queueName = `${QUEUES.pull}-auth-test-${process.pid}-${Date.now()}`;
  const connection = redisConnectionOptions(url);
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  const worker = new Worker(queueName, async (job) => ({ echoed: job.data.reference }), { connection });
  try {
    const after = await lastEventId(sub);
    await new EventPublisher(pub, 1000).publish({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox:latest', Attributes: {} } });
    const got = await readAfter(sub, after, 2000);
    assert.ok(got.some((e) => e.event.Actor.ID === 'busybox:latest'), 'the event came back');

    await events.waitUntilReady();
    const job = await queue.add('pull', { v: 1, reference: 'docker.io/library/busybox:latest', platform: '' });
    assert.deepEqual(await job.waitUntilFinished(events, 10_000), { echoed: 'docker.io/library/busybox:latest' });
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    pub.disconnect();
    sub.disconnect();
  }
}

test('without the password Berth\'s Redis answers nothing', { skip: !haveRedis && 'redis-server is not installed' }, async () => {
  await assert.rejects(ping(createRedis(`unix://${socket}`, { maxRetriesPerRequest: 0, retryStrategy: () => null })), /NOAUTH|WRONGPASS|ACL/);
  await assert.rejects(ping(createRedis(`unix://${socket}?user=berth&password=wrong`, { maxRetriesPerRequest: 0, retryStrategy: () => null })), /WRONGPASS|NOAUTH/);
});

test('events and a queue work through a password in a unix:// URL', { skip: !haveRedis && 'redis-server is not installed' }, async () => {
  await eventsAndQueues(`unix://${socket}?user=berth&password=${enc}`);
});

test('events and a queue work with the password in BERTH_REDIS_PASSWORD_FILE', { skip: !haveRedis && 'redis-server is not installed' }, async () => {
  const file = path.join(root, 'password');
  fs.writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
  process.env.BERTH_REDIS_PASSWORD_FILE = file;
  try {
    await eventsAndQueues(`unix://${socket}?user=berth`);
  } finally {
    delete process.env.BERTH_REDIS_PASSWORD_FILE;
  }
});

test('events and a queue work over rediss:// with a password, checking the server against BERTH_REDIS_TLS_CA', { skip: !haveRedis && 'redis-server is not installed' }, async () => {
  process.env.BERTH_REDIS_TLS_CA = path.join(root, 'certs', 'ca.pem');
  try {
    await eventsAndQueues(`rediss://berth:${enc}@127.0.0.1:${tlsPort}`);
  } finally {
    delete process.env.BERTH_REDIS_TLS_CA;
  }
});

test('the ACL Berth\'s user gets refuses what turns a Redis password into a shell (CONFIG, MODULE, ACL, REPLICAOF)', { skip: !haveRedis && 'redis-server is not installed' }, async () => {
  const client = createRedis(`unix://${socket}?user=berth&password=${enc}`, { maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await assert.rejects(client.config('SET', 'dir', '/tmp'), /NOPERM/);
    await assert.rejects(client.call('MODULE', 'LIST'), /NOPERM/);
    await assert.rejects(client.call('ACL', 'LIST'), /NOPERM/);
    await assert.rejects(client.call('REPLICAOF', 'NO', 'ONE'), /NOPERM/);
    await assert.rejects(client.call('FLUSHALL'), /NOPERM/);
  } finally {
    client.disconnect();
  }
});
