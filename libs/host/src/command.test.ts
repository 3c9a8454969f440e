import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CommandError, runCommand, runCommandSync } from './index';

async function failure(p: Promise<unknown>): Promise<CommandError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CommandError, String(err));
    return err;
  }
  assert.fail('expected a CommandError');
}

test('stdout and stderr are collected; stdin gets the input', async () => {
  const r = await runCommand('sh', ['-c', 'cat; echo err >&2'], { input: 'hello\n' });
  assert.deepEqual(r, { exitCode: 0, signal: null, stdout: 'hello\n', stderr: 'err\n' });
});

test('without input stdin is empty rather than left open', async () => {
  const r = await runCommand('cat', []);
  assert.equal(r.stdout, '');
});

test('a non-zero exit rejects with the stderr in the message', async () => {
  const err = await failure(runCommand('sh', ['-c', 'echo "File exists" >&2; exit 2']));
  assert.equal(err.exitCode, 2);
  assert.equal(err.stderr, 'File exists\n');
  assert.equal(err.detail, 'File exists');
  assert.equal(err.message, 'sh -c echo "File exists" >&2; exit 2: File exists');
});

test('a silent failure says its exit status; allowFailure resolves instead', async () => {
  assert.equal((await failure(runCommand('false', []))).detail, 'exit status 1');
  assert.equal((await runCommand('false', [], { allowFailure: true })).exitCode, 1);
});

test('a missing program is an ENOENT failure', async () => {
  const err = await failure(runCommand('/nonexistent/berth-nothing', ['x']));
  assert.equal(err.errno, 'ENOENT');
  assert.equal(err.exitCode, null);
});

test('a timeout kills the program and says so', async () => {
  const started = Date.now();
  const err = await failure(runCommand('sleep', ['5'], { timeoutMs: 100 }));
  assert.equal(err.timedOut, true);
  assert.equal(err.result.signal, 'SIGTERM');
  assert.ok(Date.now() - started < 4000);
});

test('env, cwd and the stdout encoding are honoured', async () => {
  const r = await runCommand('sh', ['-c', 'printf "%s " "$GREETING"; pwd; printf "\\377"'], { env: { GREETING: 'hi', PATH: process.env.PATH }, cwd: '/tmp', encoding: 'latin1' });
  assert.equal(r.stdout, 'hi /tmp\n\xff');
});

test('output over maxBuffer fails the run', async () => {
  const err = await failure(runCommand('head', ['-c', '100000', '/dev/zero'], { maxBuffer: 1000 }));
  assert.match(err.detail, /output over 1000 bytes/);
});

test('outputFd sends both streams to a file and ends at exit', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-host-'));
  const file = path.join(dir, 'out.log');
  const fd = fs.openSync(file, 'a');
  try {
    const r = await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 3'], { outputFd: fd, allowFailure: true });
    assert.equal(r.exitCode, 3);
  } finally {
    fs.closeSync(fd);
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'out\nerr\n');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the sync form behaves the same', () => {
  assert.equal(runCommandSync('sh', ['-c', 'cat'], { input: 'x' }).stdout, 'x');
  assert.throws(() => runCommandSync('sh', ['-c', 'echo nope >&2; exit 1']), (err: unknown) => err instanceof CommandError && err.detail === 'nope' && err.exitCode === 1);
  assert.throws(() => runCommandSync('sleep', ['5'], { timeoutMs: 100 }), (err: unknown) => err instanceof CommandError && err.timedOut);
  assert.throws(() => runCommandSync('/nonexistent/berth-nothing', []), (err: unknown) => err instanceof CommandError && err.errno === 'ENOENT');
});
