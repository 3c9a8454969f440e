import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DnsNameSource } from './name-source';
import { CachedNameSource } from './cached-name-source';

/** A table whose answers the test changes, counting what it is asked. */
function table() {
  const state = {
    names: new Map<string, string[]>([['web', ['10.62.0.2']]]),
    clients: new Set(['10.62.0.9']),
    generation: 1,
    calls: 0,
  };
  const source: DnsNameSource = {
    lookup(client, name) {
      state.calls++;
      return state.clients.has(client) ? state.names.get(name) ?? [] : undefined;
    },
    reverse(client, address) {
      state.calls++;
      return state.clients.has(client) && address === '10.62.0.2' ? 'web.net1' : undefined;
    },
    upstreams() {
      state.calls++;
      return ['10.255.255.53'];
    },
  };
  return { state, source };
}

test('answers are read once while the generation stays, including "no such name" and "not a client"', () => {
  const { state, source } = table();
  const cached = new CachedNameSource(source, { generation: () => state.generation });
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(cached.lookup('10.62.0.9', 'web'), ['10.62.0.2']);
    assert.deepEqual(cached.lookup('10.62.0.9', 'nosuch'), []);
    assert.equal(cached.lookup('192.168.0.1', 'web'), undefined);
    assert.equal(cached.reverse('10.62.0.9', '10.62.0.2'), 'web.net1');
    assert.equal(cached.reverse('10.62.0.9', '10.62.0.3'), undefined);
    assert.deepEqual(cached.upstreams('10.62.0.9'), ['10.255.255.53']);
  }
  assert.equal(state.calls, 6);
});

test('a new generation reads the table again: a container that stops is gone at once', () => {
  const { state, source } = table();
  const cached = new CachedNameSource(source, { generation: () => state.generation });
  assert.deepEqual(cached.lookup('10.62.0.9', 'web'), ['10.62.0.2']);
  state.names.delete('web');
  state.generation++;
  assert.deepEqual(cached.lookup('10.62.0.9', 'web'), []);
  state.clients.delete('10.62.0.9');
  state.generation++;
  assert.equal(cached.lookup('10.62.0.9', 'web'), undefined);
});

test('invalidate() drops everything', () => {
  const { state, source } = table();
  const cached = new CachedNameSource(source, { generation: () => 1 });
  cached.lookup('10.62.0.9', 'web');
  state.names.set('web', ['10.62.0.2', '10.62.0.3']);
  assert.equal(cached.lookup('10.62.0.9', 'web')?.length, 1);
  cached.invalidate();
  assert.equal(cached.lookup('10.62.0.9', 'web')?.length, 2);
});

test('answers expire after maxAgeMs even without a change of generation', async () => {
  const { state, source } = table();
  const cached = new CachedNameSource(source, { generation: () => 1, maxAgeMs: 30 });
  cached.lookup('10.62.0.9', 'web');
  cached.lookup('10.62.0.9', 'web');
  assert.equal(state.calls, 1);
  await new Promise((r) => setTimeout(r, 50));
  cached.lookup('10.62.0.9', 'web');
  assert.equal(state.calls, 2);
});

test('the cache stays bounded under a scan of ever new names', () => {
  const { state, source } = table();
  const cached = new CachedNameSource(source, { generation: () => 1, maxEntries: 100 });
  for (let i = 0; i < 1000; i++) cached.lookup('10.62.0.9', `n${i}`);
  const before = state.calls;
  cached.lookup('10.62.0.9', 'n999');
  assert.equal(state.calls, before, 'the latest answers are still there');
  assert.ok((cached as unknown as { lookups: Map<string, unknown> }).lookups.size <= 100);
});
