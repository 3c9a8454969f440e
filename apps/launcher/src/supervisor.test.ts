import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { SupervisedProcess, describeExit, forwardLines } from './supervisor';

function collect(): { lines: string[]; sink: (l: string) => void } {
  const lines: string[] = [];
  return { lines, sink: (l) => lines.push(l) };
}

test('JSON lines pass unchanged, other lines are wrapped, partial lines are joined', async () => {
  const stream = new PassThrough();
  const { lines, sink } = collect();
  forwardLines(stream, 'redis', 'info', sink);
  stream.write('{"level":"info","msg":"hi"}\nplain te');
  stream.write('xt\n\n{not json}\nlast');
  stream.end();
  await new Promise((r) => stream.on('end', r));
  assert.equal(lines[0], '{"level":"info","msg":"hi"}\n');
  const wrapped = lines.slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(wrapped.map((w) => w.msg), ['plain text', '{not json}', 'last']);
  assert.equal(wrapped[0].component, 'redis');
  assert.equal(wrapped[0].level, 'info');
});

test('an early exit is reported with its code and the pid file goes away', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sup-'));
  try {
    const pidFile = path.join(dir, 'pids', 'x.pid');
    const { lines, sink } = collect();
    const proc = SupervisedProcess.start({
      name: 'x', command: process.execPath, args: ['-e', 'console.error("dying"); process.exit(3)'], env: {}, pidFile,
    }, sink);
    const exit = await proc.exited;
    assert.equal(exit.code, 3);
    assert.equal(describeExit(exit), 'exited with code 3');
    assert.equal(proc.running, false);
    assert.equal(proc.stopping, false);
    assert.equal(fs.existsSync(pidFile), false);
    await new Promise((r) => setImmediate(r));
    assert.ok(lines.some((l) => JSON.parse(l).msg === 'dying'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a binary that does not exist is an exit with an error, not a crash', async () => {
  const proc = SupervisedProcess.start({ name: 'nope', command: '/nonexistent/berth-binary', args: [], env: {} }, () => {});
  const exit = await proc.exited;
  assert.match(describeExit(exit), /ENOENT/);
});

test('stop sends SIGTERM and the process exits cleanly', async () => {
  const proc = SupervisedProcess.start({
    name: 'polite', command: process.execPath,
    args: ['-e', 'process.on("SIGTERM", () => process.exit(0)); console.log("up"); setInterval(() => {}, 1000)'], env: {},
  }, () => {});
  await new Promise((r) => setTimeout(r, 200));
  const exit = await proc.stop(5000);
  assert.equal(exit.code, 0);
  assert.equal(proc.stopping, true);
});

test('stop escalates to SIGKILL when SIGTERM is ignored', async () => {
  const proc = SupervisedProcess.start({
    name: 'stubborn', command: process.execPath,
    args: ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], env: {},
  }, () => {});
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  const exit = await proc.stop(300);
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(Date.now() - started < 3000);
});
