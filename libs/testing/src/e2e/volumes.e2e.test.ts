import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Berth, startBerth, dockerOk, dockerFails } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerth();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);

const fails = (args: string[]): Promise<string> => dockerFails(berth, args);

test('create, inspect and rm a named volume', async () => {
  assert.equal((await ok(['volume', 'create', 'data1'])).trim(), 'data1');
  const [v] = JSON.parse(await ok(['volume', 'inspect', 'data1']));
  assert.equal(v.Name, 'data1');
  assert.equal(v.Driver, 'local');
  assert.equal(v.Scope, 'local');
  assert.equal(v.Labels, null);
  assert.equal(v.Options, null);
  assert.equal(v.Mountpoint, path.join(berth.dataRoot, 'volumes', 'data1', '_data'));
  assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(fs.statSync(v.Mountpoint).isDirectory());
  assert.equal((await ok(['volume', 'rm', 'data1'])).trim(), 'data1');
  assert.ok(!fs.existsSync(v.Mountpoint));
  assert.match(await fails(['volume', 'inspect', 'data1']), /no such volume/);
});

test('labels and driver options are kept', async () => {
  await ok(['volume', 'create', '--label', 'team=blue', '--label', 'tier', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=8m', 'opts1']);
  const [v] = JSON.parse(await ok(['volume', 'inspect', 'opts1']));
  assert.deepEqual(v.Labels, { team: 'blue', tier: '' });
  assert.deepEqual(v.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' });
  assert.equal((await ok(['volume', 'inspect', '--format', '{{.Labels.team}}', 'opts1'])).trim(), 'blue');
  // dockerd's prune never touches volumes with mount options
  assert.doesNotMatch(await ok(['volume', 'prune', '-af']), /opts1/);
  await ok(['volume', 'rm', 'opts1']);
});

test('an unnamed volume gets a 64-hex name', async () => {
  const name = (await ok(['volume', 'create'])).trim();
  assert.match(name, /^[0-9a-f]{64}$/);
  await ok(['volume', 'rm', name]);
});

test('errors read like dockerd', async () => {
  assert.match(await fails(['volume', 'inspect', 'nope']), /Error response from daemon: get nope: no such volume/);
  assert.match(await fails(['volume', 'rm', 'nope']), /no such volume/);
  assert.match(await fails(['volume', 'create', 'bad!name']), /"bad!name" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed/);
  assert.match(await fails(['volume', 'create', '-o', 'foo=bar', 'badopt']), /invalid option: "foo"/);
  assert.match(await fails(['volume', 'create', '-d', 'nodriver', 'baddrv']), /plugin "nodriver" not found/);
  assert.match(await fails(['volume', 'ls', '--filter', 'foo=bar']), /invalid filter 'foo'/i);
  assert.match(await fails(['volume', 'ls', '--filter', 'dangling=maybe']), /invalid filter 'dangling=\[maybe\]'/i);
  // rm -f of a missing volume succeeds, as with dockerd
  await ok(['volume', 'rm', '-f', 'nope']);
});

test('a duplicate name returns the existing volume unchanged, as dockerd does', async () => {
  await ok(['volume', 'create', '--label', 'v=1', 'dup1']);
  assert.equal((await ok(['volume', 'create', '--label', 'v=2', 'dup1'])).trim(), 'dup1');
  const [v] = JSON.parse(await ok(['volume', 'inspect', 'dup1']));
  assert.deepEqual(v.Labels, { v: '1' });
  const all = (await ok(['volume', 'ls', '-q'])).split('\n').filter((n) => n === 'dup1');
  assert.equal(all.length, 1);
  await ok(['volume', 'rm', 'dup1']);
});

test('ls with --filter and --format', async () => {
  await ok(['volume', 'create', '--label', 'env=prod', 'lsa']);
  await ok(['volume', 'create', '--label', 'env=dev', 'lsb']);
  await ok(['volume', 'create', 'other']);
  const names = async (...args: string[]) => (await ok(['volume', 'ls', '-q', ...args])).split('\n').filter(Boolean).sort();
  assert.deepEqual(await names('--filter', 'label=env=prod'), ['lsa']);
  assert.deepEqual(await names('--filter', 'label=env'), ['lsa', 'lsb']);
  assert.deepEqual(await names('--filter', 'name=ls'), ['lsa', 'lsb']);
  assert.deepEqual(await names('--filter', 'name=lsa', '--filter', 'name=other'), ['lsa', 'other']);
  assert.deepEqual(await names('--filter', 'driver=local', '--filter', 'label=env=dev'), ['lsb']);
  assert.ok((await names('--filter', 'dangling=true')).includes('lsa'));
  assert.deepEqual(await names('--filter', 'dangling=false'), []);
  const table = await ok(['volume', 'ls', '--filter', 'name=lsa', '--format', '{{.Driver}}|{{.Name}}|{{.Labels}}']);
  assert.equal(table.trim(), 'local|lsa|env=prod');
  const plain = await ok(['volume', 'ls', '--filter', 'name=lsb']);
  assert.match(plain, /^DRIVER\s+VOLUME NAME\nlocal\s+lsb\n$/);
  for (const n of ['lsa', 'lsb', 'other']) await ok(['volume', 'rm', n]);
});

test('prune -f removes only anonymous volumes; -a removes all unused', async () => {
  await ok(['volume', 'create', 'keepme']);
  const anon = (await ok(['volume', 'create'])).trim();
  const out = await ok(['volume', 'prune', '-f']);
  assert.match(out, new RegExp(anon));
  assert.match(out, /Total reclaimed space:/);
  const left = await ok(['volume', 'ls', '-q']);
  assert.match(left, /^keepme$/m);
  assert.doesNotMatch(left, new RegExp(anon));
  await ok(['volume', 'create', '--label', 'prune=no', 'labelled']);
  const filtered = await ok(['volume', 'prune', '-af', '--filter', 'label!=prune=no']);
  assert.match(filtered, /keepme/);
  assert.doesNotMatch(filtered, /labelled/);
  const all = await ok(['volume', 'prune', '-af']);
  assert.match(all, /labelled/);
  assert.equal((await ok(['volume', 'ls', '-q'])).trim(), '');
});

test('API: create answers 201 and the generated volume shape; concurrent creates make one volume', async () => {
  const res = await berth.request('POST', '/v1.50/volumes/create', { Name: 'api1', Labels: { a: 'b' } });
  assert.equal(res.status, 201);
  assert.deepEqual(Object.keys(res.json<object>()).sort(), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  const results = await Promise.all(Array.from({ length: 20 }, () => berth.request('POST', '/volumes/create', { Name: 'race1' })));
  assert.ok(results.every((r) => r.status === 201));
  const created = new Set(results.map((r) => r.json<{ CreatedAt: string; Mountpoint: string }>().Mountpoint));
  assert.equal(created.size, 1);
  const list = (await berth.request('GET', '/volumes?filters=' + encodeURIComponent('{"name":["race1"]}'))).json<{ Volumes: unknown[] }>();
  assert.equal(list.Volumes.length, 1);
  const del = await berth.request('DELETE', '/volumes/race1');
  assert.equal(del.status, 204);
  assert.equal((await berth.request('DELETE', '/volumes/race1')).status, 404);
  assert.equal((await berth.request('DELETE', '/volumes/api1')).status, 204);
});

test('API: prune before 1.42 removes named volumes too', async () => {
  await ok(['volume', 'create', 'old-api']);
  const res = await berth.request('POST', '/v1.41/volumes/prune');
  assert.equal(res.status, 200);
  assert.ok(res.json<{ VolumesDeleted: string[] }>().VolumesDeleted.includes('old-api'));
});
