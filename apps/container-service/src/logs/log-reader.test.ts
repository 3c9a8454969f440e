import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { ContainerExits } from '../containers/container-exits';
import { LogFollower, LogReadOptions, readK8sLog } from './log-reader';
import { collect, demux, Frame, k8sTime, record } from './log-test-helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-logs-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function logFile(content = ''): string {
  const f = path.join(dir, `c${n++}.log`);
  fs.writeFileSync(f, content);
  return f;
}

const T0 = Date.UTC(2026, 10, 28, 21, 30, 0);
const all: LogReadOptions = { stdout: true, stderr: true, timestamps: false, details: false, tail: -1, multiplexed: true };

async function frames(file: string, o: Partial<LogReadOptions> = {}): Promise<Frame[]> {
  return demux(await collect(readK8sLog(file, { ...all, ...o })));
}

const sample = [
  record(k8sTime(T0), 'stdout', 'F', 'one'),
  record(k8sTime(T0 + 1000), 'stderr', 'F', 'warning'),
  record(k8sTime(T0 + 2000), 'stdout', 'P', 'long '),
  record(k8sTime(T0 + 2001), 'stdout', 'P', 'line '),
  record(k8sTime(T0 + 2002), 'stdout', 'F', 'end'),
  record(k8sTime(T0 + 3000), 'stdout', 'F', ''),
  record(k8sTime(T0 + 4000, 123), 'stderr', 'F', 'last'),
].join('');

describe('readK8sLog', () => {
  test('both streams framed, P records joined into one line, empty lines kept', async () => {
    assert.deepEqual(await frames(logFile(sample)), [
      { stream: 1, data: 'one\n' },
      { stream: 2, data: 'warning\n' },
      { stream: 1, data: 'long line end\n' },
      { stream: 1, data: '\n' },
      { stream: 2, data: 'last\n' },
    ]);
  });

  test('stdout or stderr alone; a missing log is empty', async () => {
    const f = logFile(sample);
    assert.deepEqual((await frames(f, { stderr: false })).map((x) => x.data), ['one\n', 'long line end\n', '\n']);
    assert.deepEqual((await frames(f, { stdout: false })).map((x) => x.data), ['warning\n', 'last\n']);
    assert.deepEqual(await frames(path.join(dir, 'absent.log')), []);
  });

  test('tail counts lines of both streams from the end; 0 is none; more than there are is all', async () => {
    const f = logFile(sample);
    assert.deepEqual((await frames(f, { tail: 2 })).map((x) => x.data), ['\n', 'last\n']);
    assert.deepEqual((await frames(f, { tail: 3 })).map((x) => x.data), ['long line end\n', '\n', 'last\n']);
    assert.deepEqual((await frames(f, { tail: 3, stderr: false })).map((x) => x.data), ['long line end\n', '\n']);
    assert.deepEqual(await frames(f, { tail: 0 }), []);
    assert.equal((await frames(f, { tail: 100 })).length, 5);
  });

  test('a line still being written: P records at the end count as a line; a half-written record is left out', async () => {
    const f = logFile(sample + record(k8sTime(T0 + 5000), 'stdout', 'P', 'no newline yet') + `${k8sTime(T0 + 5001)} stdout F trunc`);
    assert.deepEqual((await frames(f, { tail: 2 })).map((x) => x.data), ['last\n', 'no newline yet']);
  });

  test('since and until compare the record times; timestamps print in UTC with nine digits', async () => {
    const f = logFile(sample);
    const at = (ms: number) => ({ sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 });
    assert.deepEqual((await frames(f, { since: at(T0 + 2000) })).map((x) => x.data), ['long line end\n', '\n', 'last\n']);
    assert.deepEqual((await frames(f, { until: at(T0 + 2000) })).map((x) => x.data), ['one\n', 'warning\n', 'long line end\n']);
    assert.deepEqual((await frames(f, { since: at(T0 + 1000), until: at(T0 + 3000), tail: 3 })).map((x) => x.data), ['long line end\n', '\n']);
    const ts = await frames(f, { timestamps: true, tail: 2 });
    assert.deepEqual(ts.map((x) => x.data), ['2026-11-28T21:30:03.000000000Z \n', '2026-11-28T21:30:04.000000123Z last\n']);
    assert.deepEqual((await frames(f, { details: true, timestamps: true, tail: 1 })).map((x) => x.data), ['2026-11-28T21:30:04.000000123Z  last\n']);
  });

  test('since keeps later lines whose clock went back, as dockerd does', async () => {
    const f = logFile([record(k8sTime(T0), 'stdout', 'F', 'a'), record(k8sTime(T0 + 5000), 'stdout', 'F', 'b'), record(k8sTime(T0 + 1000), 'stdout', 'F', 'c')].join(''));
    assert.deepEqual((await frames(f, { since: { sec: T0 / 1000 + 2, nsec: 0 } })).map((x) => x.data), ['b\n', 'c\n']);
  });

  test('a TTY log comes out raw', async () => {
    const f = logFile([record(k8sTime(T0), 'stdout', 'F', 'a\r'), record(k8sTime(T0), 'stdout', 'P', 'b'), record(k8sTime(T0), 'stdout', 'F', 'c\r')].join(''));
    assert.equal((await collect(readK8sLog(f, { ...all, multiplexed: false }))).toString(), 'a\r\nbc\r\n');
  });

  test('tail over block boundaries agrees with reading everything (random logs)', async () => {
    let seed = 42;
    const rand = (k: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % k; };
    for (let round = 0; round < 4; round++) {
      const recs: string[] = [];
      const lines: { stream: number; text: string }[] = [];
      for (let i = 0; i < 3000; i++) {
        const stream = rand(3) === 0 ? 'stderr' : 'stdout';
        const parts = rand(5) === 0 ? 1 + rand(4) : 1;
        let text = '';
        for (let p = 0; p < parts; p++) {
          const piece = `${i}.${p}:${'z'.repeat(rand(round === 3 ? 9000 : 200))}`;
          text += piece;
          recs.push(record(k8sTime(T0 + i), stream, p === parts - 1 ? 'F' : 'P', piece));
        }
        lines.push({ stream: stream === 'stdout' ? 1 : 2, text: `${text}\n` });
      }
      const f = logFile(recs.join(''));
      const everything = await frames(f);
      assert.deepEqual(everything, lines.map((l) => ({ stream: l.stream, data: l.text })));
      for (const t of [1, 2, 7, 100, 999, 2999, 3000, 5000]) {
        const got = await frames(f, { tail: t });
        assert.deepEqual(got, everything.slice(Math.max(0, everything.length - t)), `tail ${t} of round ${round}`);
      }
    }
  });

  test('50 MB of log reads several times faster than dockerd (~6 MB/s)', async () => {
    const f = path.join(dir, 'big.log');
    const fd = fs.openSync(f, 'w');
    const line = 'x'.repeat(60);
    let size = 0;
    let i = 0;
    while (size < 50 * 1024 * 1024) {
      const parts: string[] = [];
      for (let k = 0; k < 10000; k++, i++) parts.push(record(k8sTime(T0 + i), i % 5 === 0 ? 'stderr' : 'stdout', 'F', `${i} ${line}`));
      const b = Buffer.from(parts.join(''));
      fs.writeSync(fd, b);
      size += b.length;
    }
    fs.closeSync(fd);
    for (const o of [{}, { timestamps: true }, { since: { sec: T0 / 1000 + 1, nsec: 0 }, until: { sec: T0 / 1000 + 1e7, nsec: 0 } }]) {
      const start = process.hrtime.bigint();
      let out = 0;
      let chunks = 0;
      for await (const c of readK8sLog(f, { ...all, ...o })) { out += c.length; chunks++; }
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      const mbs = size / 1024 / 1024 / secs;
      process.stderr.write(`# ${JSON.stringify(o)}: ${(size / 1024 / 1024).toFixed(0)} MB of log in ${secs.toFixed(3)} s = ${mbs.toFixed(0)} MB/s, ${chunks} chunks of ~${Math.round(out / chunks / 1024)} KiB\n`);
      assert.ok(mbs > 30, `${mbs} MB/s`);
    }
    const start = process.hrtime.bigint();
    const tail = await frames(f, { tail: 10 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.equal(tail.length, 10);
    assert.equal(tail[9].data, `${i - 1} ${line}\n`);
    assert.ok(ms < 100, `tail 10 took ${ms} ms`);
  });
});

describe('readK8sLog with follow', () => {
  function follower(exits: ContainerExits, state: { running: boolean }): LogFollower {
    return { running: () => state.running, exited: (s) => exits.next('c', s) };
  }

  test('streams what is appended and ends when the exit notice comes, after draining', async () => {
    const f = logFile(record(k8sTime(T0), 'stdout', 'F', 'before'));
    const exits = new ContainerExits();
    const state = { running: true };
    const got: Frame[] = [];
    let ended = false;
    const done = (async () => {
      for await (const c of readK8sLog(f, { ...all, tail: -1 }, follower(exits, state))) got.push(...demux(c));
      ended = true;
    })();
    await waitFor(() => got.length === 1);
    fs.appendFileSync(f, record(k8sTime(T0 + 1), 'stdout', 'P', 'par'));
    await waitFor(() => got.length === 2);
    fs.appendFileSync(f, record(k8sTime(T0 + 2), 'stdout', 'F', 'tial') + record(k8sTime(T0 + 3), 'stderr', 'F', 'err'));
    await waitFor(() => got.length === 4);
    assert.equal(ended, false);
    // The last words land just before the container stops; the notice comes right after.
    fs.appendFileSync(f, record(k8sTime(T0 + 4), 'stdout', 'F', 'bye'));
    state.running = false;
    const t = Date.now();
    exits.notify('c');
    await done;
    assert.ok(Date.now() - t < 300, 'ended on the notice, not on the poll');
    assert.deepEqual(got, [
      { stream: 1, data: 'before\n' }, { stream: 1, data: 'par' }, { stream: 1, data: 'tial\n' }, { stream: 2, data: 'err\n' }, { stream: 1, data: 'bye\n' },
    ]);
  });

  test('tail 0 with follow shows only new lines; a stop seen by polling also ends it', async () => {
    const f = logFile(sample);
    const state = { running: true };
    const got: Frame[] = [];
    const done = (async () => {
      for await (const c of readK8sLog(f, { ...all, tail: 0 }, follower(new ContainerExits(), state))) got.push(...demux(c));
    })();
    await new Promise((r) => setTimeout(r, 50));
    fs.appendFileSync(f, record(k8sTime(T0 + 9000), 'stdout', 'F', 'new'));
    await waitFor(() => got.length === 1);
    state.running = false; // no notice: another replica's container
    await done;
    assert.deepEqual(got, [{ stream: 1, data: 'new\n' }]);
  });

  test('follow on a stopped container prints and ends', async () => {
    const f = logFile(sample);
    const got = demux(await collect(readK8sLog(f, all, follower(new ContainerExits(), { running: false }))));
    assert.equal(got.length, 5);
  });

  test('cancelling stops a quiet follow at once and releases its watchers and timers', async () => {
    const f = logFile(sample);
    const exits = new ContainerExits();
    const abort = new AbortController();
    const before = process.getActiveResourcesInfo().length;
    let count = 0;
    const done = (async () => {
      for await (const c of readK8sLog(f, all, follower(exits, { running: true }), abort.signal)) count += demux(c).length;
    })();
    await waitFor(() => count === 5);
    await new Promise((r) => setTimeout(r, 30));
    const t = Date.now();
    abort.abort();
    await done;
    assert.ok(Date.now() - t < 100);
    assert.equal((exits as unknown as { emitter: { listenerCount(id: string): number } }).emitter.listenerCount('c'), 0, 'no exit listener left');
    await new Promise((r) => setImmediate(r));
    assert.ok(process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length === 0, `left: ${process.getActiveResourcesInfo().join(',')} (before: ${before})`);
  });

  test('breaking out of the loop while following closes everything too', async () => {
    const f = logFile(sample);
    const exits = new ContainerExits();
    let seen = 0;
    setTimeout(() => fs.appendFileSync(f, record(k8sTime(T0 + 9000), 'stdout', 'F', 'more')), 50);
    for await (const c of readK8sLog(f, all, follower(exits, { running: true }))) {
      seen += demux(c).length;
      if (seen > 5) break;
    }
    assert.equal(seen, 6);
    assert.equal((exits as unknown as { emitter: { listenerCount(id: string): number } }).emitter.listenerCount('c'), 0);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
