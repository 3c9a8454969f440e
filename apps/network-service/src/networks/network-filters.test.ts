import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Filters } from '@berth/engine-api';
import { listPredicate, prunePredicate } from './network-filters';
import type { NetworkRecord } from './network-store';

function net(name: string, id: string, extra: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    name, id, driver: 'bridge', created: '2026-01-01T00:00:00.000000000Z', scope: 'local', internal: false, attachable: false, ingress: false, enableIpv4: true,
    enableIpv6: false, ipamDriver: 'default', ipamOptions: {}, ipam: [], options: {}, labels: {}, configOnly: false, configFrom: '', bridge: '', ...extra,
  };
}
const nets = [
  net('bridge', 'aa'.repeat(32)), net('host', 'bb'.repeat(32), { driver: 'host' }), net('none', 'cc'.repeat(32), { driver: 'null' }),
  net('web_default', 'ab'.repeat(32), { labels: { 'com.docker.compose.project': 'web' } }),
  net('db', 'dd'.repeat(32), { labels: { tier: 'back' }, created: '2026-06-01T00:00:00.000000000Z' }),
];
const busy = new Set(['dd'.repeat(32)]);
const count = (n: NetworkRecord) => (busy.has(n.id) ? 1 : 0);
const names = (f: Record<string, string[]>) => nets.filter(listPredicate(new Filters(f), count)).map((n) => n.name);

test('list filters: name, id, label, driver, type, scope, dangling', () => {
  assert.deepEqual(names({}), ['bridge', 'host', 'none', 'web_default', 'db']);
  assert.deepEqual(names({ name: ['default'] }), ['web_default']);
  assert.deepEqual(names({ id: ['ab'] }), ['web_default']);
  assert.deepEqual(names({ label: ['com.docker.compose.project=web'] }), ['web_default']);
  assert.deepEqual(names({ label: ['tier'] }), ['db']);
  assert.deepEqual(names({ driver: ['null'] }), ['none']);
  assert.deepEqual(names({ type: ['builtin'] }), ['bridge', 'host', 'none']);
  assert.deepEqual(names({ type: ['custom'] }), ['web_default', 'db']);
  assert.deepEqual(names({ scope: ['local'] }).length, 5);
  assert.deepEqual(names({ dangling: ['true'] }), ['web_default']);
  assert.deepEqual(names({ dangling: ['false'] }), ['bridge', 'host', 'none', 'db']);
});

test("invalid filters in dockerd's words", () => {
  assert.throws(() => names({ nope: ['x'] }), /^Error: invalid filter 'nope'$|invalid filter 'nope'/);
  assert.throws(() => names({ type: ['odd'] }), /invalid filter: 'type'='odd'/);
  assert.throws(() => names({ dangling: ['maybe'] }), /invalid filter 'dangling/);
});

test('prune: custom networks without endpoints, until and label / label!', () => {
  const pruned = (f: Record<string, string[]>) => nets.filter(prunePredicate(new Filters(f), count, Date.parse('2026-12-01T00:00:00Z'))).map((n) => n.name);
  busy.clear();
  assert.deepEqual(pruned({}), ['web_default', 'db']);
  assert.deepEqual(pruned({ until: ['2026-03-01T00:00:00Z'] }), ['web_default']);
  assert.deepEqual(pruned({ label: ['tier=back'] }), ['db']);
  assert.deepEqual(pruned({ 'label!': ['tier'] }), ['web_default']);
  busy.add('dd'.repeat(32));
  assert.deepEqual(pruned({}), ['web_default']);
  assert.throws(() => pruned({ name: ['x'] }), /invalid filter 'name'/);
});
