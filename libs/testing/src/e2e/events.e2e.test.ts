import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerth } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerth();
});

after(async () => {
  await berth?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('docker events --since --until lists this test\'s volume events, filtered by type', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  for (const n of ['ev1', 'ev2']) assert.equal((await berth.docker(['volume', 'create', n])).code, 0);
  assert.equal((await berth.docker(['volume', 'rm', 'ev1'])).code, 0);
  await sleep(1100);
  const until = Math.floor(Date.now() / 1000);
  const res = await berth.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--format', '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}']);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(res.stdout.trim().split('\n'), ['volume create ev1 local', 'volume create ev2 local', 'volume destroy ev1 local']);

  const onlyDestroy = await berth.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'event=destroy', '--format', '{{.Action}} {{.Actor.ID}}']);
  assert.equal(onlyDestroy.stdout.trim(), 'destroy ev1');
  const byName = await berth.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'volume=ev2', '--format', '{{.Action}} {{.Actor.ID}}']);
  assert.equal(byName.stdout.trim(), 'create ev2');
  const json = await berth.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--format', '{{json .}}']);
  const first = JSON.parse(json.stdout.split('\n')[0]);
  assert.equal(first.scope, 'local');
  assert.equal(first.time, Math.floor(first.timeNano / 1e9));
});

test('a follower receives live events and the stream starts at once', async () => {
  const proc = berth.spawnDocker(['events', '--filter', 'type=volume', '--format', '{{.Action}} {{.Actor.ID}}']);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  await sleep(700);
  assert.equal((await berth.docker(['volume', 'create', 'live1'])).code, 0);
  assert.equal((await berth.docker(['volume', 'rm', 'live1'])).code, 0);
  const deadline = Date.now() + 5000;
  while (!out.includes('destroy live1') && Date.now() < deadline) await sleep(50);
  proc.kill('SIGTERM');
  assert.equal(out.trim(), 'create live1\ndestroy live1');
});

test('--until in the future ends the stream then', async () => {
  const start = Date.now();
  const res = await berth.docker(['events', '--since', String(Math.floor(start / 1000)), '--until', String(Math.floor(start / 1000) + 2), '--filter', 'type=volume']);
  assert.equal(res.code, 0, res.stderr);
  assert.ok(Date.now() - start >= 900, 'waited for until');
  assert.ok(Date.now() - start < 6000, 'ended at until');
});

test('bad since/until values are 400', async () => {
  const res = await berth.request('GET', '/events?since=yesterday');
  assert.equal(res.status, 400);
  assert.match(res.json<{ message: string }>().message, /invalid value for 'since'/);
  const order = await berth.request('GET', '/events?since=200&until=100');
  assert.equal(order.status, 400);
  const filt = await berth.request('GET', '/events?until=1&filters=%7Bbad');
  assert.equal(filt.status, 400);
});
