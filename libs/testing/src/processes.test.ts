import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { isRunning, processState, processesOf, terminate, waitForExit } from './processes';

test('this process is running, a made-up pid is gone', () => {
  assert.equal(processState(process.pid), 'running');
  assert.equal(processState(2 ** 22 + 12345), 'gone');
});

test('processes of an instance are found by environment or command line, and terminated', async () => {
  const root = fs.mkdtempSync('/tmp/berth-ptest-');
  const runRoot = `${root}/run`;
  const byEnv = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env: { BERTH_RUN_ROOT: runRoot }, stdio: 'ignore' });
  const byArg = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', `${root}/bundle`], { stdio: 'ignore' });
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', `${root}-other/bundle`], { env: { BERTH_RUN_ROOT: `${runRoot}x` }, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const found = processesOf(root, runRoot);
    assert.ok(found.includes(byEnv.pid!), 'found by BERTH_RUN_ROOT');
    assert.ok(found.includes(byArg.pid!), 'found by command line');
    assert.ok(!found.includes(other.pid!), 'a neighbour with a longer name is not ours');
    assert.ok(!found.includes(process.pid), 'never ourselves');
    await terminate([byEnv.pid!, byArg.pid!], 2000);
    assert.equal(await waitForExit(byEnv.pid!, 1000), true);
    assert.equal(isRunning(byArg.pid!), false);
  } finally {
    for (const c of [byEnv, byArg, other]) c.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
});
