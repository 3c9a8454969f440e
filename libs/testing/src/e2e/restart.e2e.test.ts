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

test('killing and restarting the volume service keeps every volume', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await berth.docker(['volume', 'create', '--label', `n=${i}`, `keep${i}`])).code, 0);
  await berth.killService('volume');
  const down = await berth.docker(['volume', 'ls']);
  assert.notEqual(down.code, 0, 'no volume service, no answer');
  await berth.startService('volume');
  const ls = await berth.docker(['volume', 'ls', '-q', '--filter', 'name=keep']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(ls.stdout.trim().split('\n').sort(), ['keep0', 'keep1', 'keep2', 'keep3', 'keep4']);
  const label = await berth.docker(['volume', 'inspect', '--format', '{{.Labels.n}}', 'keep3']);
  assert.equal(label.stdout.trim(), '3');
});

test('killing the gateway and starting another one serves the same state', async () => {
  assert.equal((await berth.docker(['volume', 'create', 'before-gw'])).code, 0);
  await berth.killService('gateway');
  assert.notEqual((await berth.docker(['volume', 'ls'])).code, 0);
  await berth.startService('gateway');
  const ls = await berth.docker(['volume', 'ls', '-q']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /^before-gw$/m);
  assert.match(ls.stdout, /^keep0$/m);
  const since = Math.floor(Date.now() / 1000) - 120;
  // `until` is whole seconds: the next one, so an event of this very second is inside the range.
  const ev = await berth.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'volume=before-gw', '--format', '{{.Action}}']);
  assert.equal(ev.stdout.trim(), 'create', 'events survive the gateway too');
});
