import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Filters, EngineEvent } from '@berth/engine-api';
import { eventMatches } from './filter';
import { familiarName } from './familiar';
import { buildEvent } from './publisher';

const vol = (action: string, name: string, labels: Record<string, string> = {}): EngineEvent =>
  buildEvent({ Type: 'volume', Action: action, Actor: { ID: name, Attributes: { driver: 'local', ...labels } } });
const ctr = (action: string, id: string, name: string, image: string): EngineEvent =>
  buildEvent({ Type: 'container', Action: action, Actor: { ID: id, Attributes: { name, image } } });

test('type and event filters', () => {
  const f = Filters.parse('{"type":["volume"],"event":["create"]}');
  assert.ok(eventMatches(vol('create', 'v1'), f));
  assert.ok(!eventMatches(vol('destroy', 'v1'), f));
  assert.ok(!eventMatches(ctr('create', 'abc', 'web', 'busybox'), f));
});

test('name filters match ID or name by prefix, whatever the type', () => {
  assert.ok(eventMatches(vol('create', 'data1'), Filters.parse('{"volume":["data"]}')));
  assert.ok(!eventMatches(vol('create', 'other'), Filters.parse('{"volume":["data"]}')));
  assert.ok(eventMatches(ctr('start', 'abcdef', 'web', 'busybox'), Filters.parse('{"container":["web"]}')));
  assert.ok(eventMatches(ctr('start', 'abcdef', 'web', 'busybox'), Filters.parse('{"container":["abc"]}')));
});

test('exec and health actions match by prefix when asked by bare name', () => {
  const e = ctr('exec_start: sh -c true', 'abc', 'web', 'busybox');
  assert.ok(eventMatches(e, Filters.parse('{"event":["exec_start"]}')));
  assert.ok(!eventMatches(e, Filters.parse('{"event":["start"]}')));
});

test('image filter compares familiar names', () => {
  const e = ctr('start', 'abc', 'web', 'docker.io/library/busybox:latest');
  assert.ok(eventMatches(e, Filters.parse('{"image":["busybox"]}')));
  assert.ok(!eventMatches(e, Filters.parse('{"image":["alpine"]}')));
  assert.equal(familiarName('127.0.0.1:5000/busybox:1'), '127.0.0.1:5000/busybox');
  assert.equal(familiarName('docker.io/user/app@sha256:abc'), 'user/app');
});

test('label filters look at the attributes', () => {
  assert.ok(eventMatches(vol('create', 'v', { team: 'a' }), Filters.parse('{"label":["team=a"]}')));
  assert.ok(!eventMatches(vol('create', 'v', { team: 'b' }), Filters.parse('{"label":["team=a"]}')));
});

test('events carry seconds and nanoseconds that agree', () => {
  const e = vol('create', 'v');
  assert.equal(e.time, Math.floor(e.timeNano / 1e9));
  assert.ok(Math.abs(e.timeNano / 1e6 - Date.now()) < 5000);
  assert.equal(e.scope, 'local');
});

test('stream ids compare by milliseconds, then sequence', async () => {
  const { compareStreamIds } = await import('./reader');
  assert.equal(compareStreamIds('1700000000000-0', '1700000000000-0'), 0);
  assert.equal(compareStreamIds('1700000000000-2', '1700000000000-10'), -1);
  assert.equal(compareStreamIds('1700000000001-0', '1700000000000-99'), 1);
  assert.equal(compareStreamIds('0-0', '1-0'), -1);
  assert.equal(compareStreamIds('18446744073709551615-1', '18446744073709551615-0'), 1);
  assert.equal(compareStreamIds('18446744073709551614-5', '18446744073709551615-0'), -1);
});
