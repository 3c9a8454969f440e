import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);

const fails = (args: string[]): Promise<string> => dockerFails(berth, args);

test('docker create with a generated name, then ps -a and inspect', async () => {
  const id = (await ok(['create', 'busybox'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.equal((await ok(['ps', '-q'])).trim(), '', 'created containers are not running');
  const ps = await ok(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.Command}} {{.Status}}']);
  assert.match(ps, new RegExp(`^${id} [a-z]+_[a-z]+ busybox "sh" Created$`, 'm'));
  const [c] = JSON.parse(await ok(['inspect', id.slice(0, 10)]));
  assert.equal(c.Id, id);
  assert.match(c.Name, /^\/[a-z]+_[a-z]+$/);
  assert.equal(c.State.Status, 'created');
  assert.equal(c.State.Running, false);
  assert.equal(c.State.StartedAt, '0001-01-01T00:00:00Z');
  assert.equal(c.Path, 'sh');
  assert.deepEqual(c.Args, []);
  assert.match(c.Image, /^sha256:[0-9a-f]{64}$/);
  assert.equal(c.Config.Image, 'busybox');
  assert.equal(c.Config.Hostname, id.slice(0, 12));
  assert.equal(c.Driver, 'overlay2');
  assert.deepEqual(c.Mounts, []);
  // dockerd shows a created container's network, with no address yet
  assert.deepEqual(Object.keys(c.NetworkSettings.Networks), ['bridge']);
  assert.equal(c.NetworkSettings.Networks.bridge.IPAddress, '');
  assert.deepEqual(c.NetworkSettings.Ports, {});
  assert.match(c.Created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  await ok(['rm', id]);
});

test('docker create --name -e -l with a command; filters, format, inspect by name', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = (await ok(['create', '--name', 'web', '-e', 'A=b', '-l', 'k=v', 'busybox', 'sh', '-c', 'echo hi'])).trim();
  const [c] = JSON.parse(await ok(['inspect', 'web']));
  assert.equal(c.Id, id);
  assert.equal(c.Name, '/web');
  assert.equal(c.Path, 'sh');
  assert.deepEqual(c.Args, ['-c', 'echo hi']);
  assert.deepEqual(c.Config.Cmd, ['sh', '-c', 'echo hi']);
  assert.ok(c.Config.Env.includes('A=b'));
  assert.ok(c.Config.Env.some((e: string) => e.startsWith('PATH=')), 'the image env is merged in');
  assert.equal(c.Config.Labels.k, 'v');
  assert.equal(c.HostConfig.NetworkMode, 'bridge');
  assert.equal(JSON.parse(await ok(['inspect', '/web']))[0].Id, id);
  assert.equal((await ok(['inspect', '--format', '{{.State.Status}} {{.Name}}', id])).trim(), 'created /web');

  const other = (await ok(['create', 'busybox'])).trim();
  assert.equal((await ok(['ps', '-a', '-q', '--no-trunc', '--filter', 'name=web'])).trim(), id);
  assert.equal((await ok(['ps', '-a', '-q', '--no-trunc', '--filter', 'label=k=v'])).trim(), id);
  assert.equal((await ok(['ps', '-a', '-q', '--no-trunc', '--filter', 'label=k'])).trim(), id);
  assert.equal((await ok(['ps', '-q', '--no-trunc', '--filter', 'status=created', '--filter', 'name=web'])).trim(), id);
  assert.equal((await ok(['ps', '-a', '--format', '{{.Names}}|{{.Command}}|{{.Labels}}', '--filter', 'name=web', '--no-trunc'])).trim(), 'web|"sh -c \'echo hi\'"|k=v');
  const both = (await ok(['ps', '-a', '-q', '--no-trunc'])).trim().split('\n');
  assert.deepEqual(both.slice(0, 2), [other, id], 'newest first');

  const events = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=container', '--filter', 'container=web', '--format', '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.image}} {{.Actor.Attributes.k}}']);
  assert.match(events, /^create web busybox v$/m);

  await ok(['rm', other]);
  await ok(['rm', 'web']);
  assert.match(await fails(['inspect', 'web']), /No such object: web|No such container: web/);
});

test('a duplicate name is a conflict; invalid names and missing images fail like dockerd', async () => {
  const id = (await ok(['create', '--name', 'dup', 'busybox'])).trim();
  const err = await fails(['create', '--name', 'dup', 'busybox']);
  assert.match(err, new RegExp(`Conflict\\. The container name "/dup" is already in use by container "${id}"\\. You have to remove \\(or rename\\) that container to be able to reuse that name\\.`));
  assert.match(await fails(['create', '--name', 'bad!', 'busybox']), /Invalid container name \(bad!\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed/);
  assert.match(await fails(['create', '--pull', 'never', 'nope']), /No such image: nope:latest/);
  assert.match(await fails(['rm', 'nosuch']), /No such container: nosuch/);
  await ok(['rm', 'dup']);
});

test('docker rename, and the name is free again after', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = (await ok(['create', '--name', 'old', 'busybox'])).trim();
  await ok(['create', '--name', 'taken', 'busybox']);
  await ok(['rename', 'old', 'new']);
  assert.equal((await ok(['inspect', '--format', '{{.Name}}', id])).trim(), '/new');
  assert.match(await fails(['inspect', 'old']), /No such object: old/);
  assert.match(await fails(['rename', 'new', 'taken']), /Conflict\. The container name "\/taken" is already in use/);
  await ok(['create', '--name', 'old', 'busybox']);
  await ok(['rm', 'new', 'old', 'taken']);
  const events = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${id}`, '--format', '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.oldName}}']);
  assert.deepEqual(events.trim().split('\n'), ['create old <no value>', 'rename new /old', 'destroy new <no value>']);
});

test('docker rmi is refused while a created container uses the image', async () => {
  const id = (await ok(['create', 'busybox'])).trim();
  try {
    assert.match(await fails(['rmi', 'busybox']), new RegExp(`conflict: unable to remove repository reference "busybox" \\(must force\\) - container ${id.slice(0, 12)} is using its referenced image`));
    const imageId = (await ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox'])).trim();
    assert.match(await fails(['rmi', imageId]), new RegExp(`image is being used by stopped container ${id.slice(0, 12)}`));
  } finally {
    await ok(['rm', id]);
  }
  await ok(['image', 'inspect', 'busybox']);
});

test('concurrent docker create --name same: exactly one wins', async () => {
  const results = await Promise.all(Array.from({ length: 8 }, () => berth.docker(['create', '--name', 'same', 'busybox'])));
  const wins = results.filter((r) => r.code === 0);
  assert.equal(wins.length, 1, results.map((r) => r.stderr).join('\n'));
  for (const r of results.filter((x) => x.code !== 0)) assert.match(r.stderr, /Conflict\. The container name "\/same" is already in use/);
  assert.equal((await ok(['ps', '-a', '-q', '--filter', 'name=^same$'])).trim().split('\n').length, 1);
  await ok(['rm', 'same']);
});

test('docker container prune -f removes created containers; info counts them', async () => {
  const a = (await ok(['create', 'busybox'])).trim();
  const b = (await ok(['create', '--name', 'keepme', 'busybox'])).trim();
  const info = (await ok(['info', '--format', '{{.Containers}} {{.ContainersStopped}}'])).trim();
  assert.equal(info, '2 2');
  const out = await ok(['container', 'prune', '-f']);
  assert.match(out, new RegExp(`Deleted Containers:\\n(${a}\\n${b}|${b}\\n${a})`));
  assert.equal((await ok(['ps', '-a', '-q'])).trim(), '');
});
