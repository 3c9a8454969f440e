import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { currentBootId, processAlive, processState } from './index';

test('this process runs; an unused pid is gone', () => {
  assert.equal(processState(process.pid), 'running');
  assert.equal(processAlive(process.pid), true);
  assert.equal(processState(2 ** 22 + 12345), 'gone');
});

test('an exited child not yet collected is a zombie', async () => {
  const child = spawn('true', [], { stdio: 'ignore' });
  const pid = child.pid!;
  // 'exit' fires after Node has reaped it; poll until the kernel marks it a zombie or it is gone.
  let state = processState(pid);
  for (let i = 0; i < 100 && state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 10));
    state = processState(pid);
  }
  assert.notEqual(state, 'running');
  assert.equal(processAlive(pid), false);
});

test('the boot id looks like a uuid', () => {
  assert.match(currentBootId(), /^[0-9a-f-]{36}$/);
});
