import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { testImageStore } from './image-test-helpers';

const roots: string[] = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

function setup() {
  const store = testImageStore();
  roots.push(store.root);
  return store;
}

const opts = (repo: string, tag = 'latest') => ({ repo, tag, changes: ['CMD ["sh"]'], message: '', platform: '' });

test('import, resolve by name, ID and prefix; tag and untag', async () => {
  const { m, events, imp } = setup();
  const id = await imp('a', opts('app'));
  assert.equal(m.resolve('app').id, id);
  assert.equal(m.resolve('app:latest').id, id);
  assert.equal(m.resolve('docker.io/library/app:latest').id, id);
  assert.equal(m.resolve(id).id, id);
  assert.equal(m.resolve(id.slice(7, 19)).id, id);
  assert.throws(() => m.resolve('nope'), /No such image: nope:latest/);
  m.tag('app', 'registry.example:5000/team/app', 'v1');
  assert.deepEqual(m.inspect(id).repoTags.sort(), ['app:latest', 'registry.example:5000/team/app:v1']);
  const items = await m.remove('app', false, false);
  assert.deepEqual(items, [{ untagged: 'app:latest', deleted: '' }]);
  assert.ok(events.some((e) => e.Action === 'untag'));
  const all = await m.remove('registry.example:5000/team/app:v1', false, false);
  assert.equal(all[all.length - 1].deleted, id);
  assert.equal(m.count(), 0);
  assert.deepEqual(fs.readdirSync(m.layers.root), [], 'the layer went with its last image');
});

test('an image used by a stopped container needs force; a running one cannot be deleted', async () => {
  const stopped = setup();
  const id = await stopped.imp('b', opts('used'));
  stopped.leases.acquire('used', 'container/c0ffee0000000000', false);
  await assert.rejects(stopped.m.remove('used', false, false), /unable to remove repository reference "used" \(must force\) - container c0ffee000000 is using its referenced image/);
  await assert.rejects(stopped.m.remove(id, false, false), /\(must be forced\) - image is being used by stopped container c0ffee000000/);
  const forced = await stopped.m.remove(id, true, false);
  assert.equal(forced[forced.length - 1].deleted, id);

  const running = setup();
  const rid = await running.imp('c', opts('busy'));
  running.leases.acquire('busy', 'container/beef00000000aaaa', false);
  running.leases.setActive('container/beef00000000aaaa', true);
  await assert.rejects(running.m.remove(rid, true, false), /\(cannot be forced\) - image is being used by running container beef00000000/);
  const untagOnly = await running.m.remove('busy', true, false);
  assert.deepEqual(untagOnly, [{ untagged: 'busy:latest', deleted: '' }]);
  assert.equal(running.m.count(), 1, 'the image stays for its running container');
  const pruned = await running.m.prune([{ key: 'dangling', values: ['false'] }]);
  assert.equal(pruned.items.length, 0, 'prune leaves images containers use');
});

test('list filters: dangling, reference, label; invalid keys refused', async () => {
  const { m, imp } = setup();
  await imp('d', { ...opts('web', '1'), changes: ['LABEL tier=front'] });
  await imp('e', opts(''));
  const names = (f: { key: string; values: string[] }[]) => m.list(f, false).map((v) => v.repoTags.join(',') || '<none>');
  assert.deepEqual(names([{ key: 'dangling', values: ['true'] }]), ['<none>']);
  assert.deepEqual(names([{ key: 'reference', values: ['we*'] }]), ['web:1']);
  assert.deepEqual(names([{ key: 'label', values: ['tier=front'] }]), ['web:1']);
  assert.throws(() => names([{ key: 'bogus', values: ['x'] }]), /invalid filter 'bogus'/);
});
