import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
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

/** Reads the first `n` lines of a streamed answer, then hangs up as the CLI does. */
function streamLines(path: string, n: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: berth.socketPath, path, headers: { Host: 'localhost' }, agent: false }, (res) => {
      let buf = '';
      const lines: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0 && lines.length < n) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
        if (lines.length >= n) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, lines });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, lines }));
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
    req.end();
  });
}

test('docker stats --no-stream: memory usage against the --memory limit, pids', async () => {
  const id = (await ok(['run', '-d', '--name', 'st', '--memory', '64m', 'busybox', 'sleep', '300'])).trim();
  try {
    const table = await ok(['stats', '--no-stream', 'st']);
    const [header, row] = table.trim().split('\n');
    assert.match(header, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    assert.match(row, new RegExp(`^${id.slice(0, 12)}\\s+st\\s+\\d+\\.\\d\\d%\\s+\\S+ / 64MiB\\s+\\d+\\.\\d\\d%\\s+.+\\s+1$`));
    assert.doesNotMatch(row, /\s0B \/ 64MiB/, 'a running container uses some memory');

    const j = JSON.parse(await ok(['stats', '--no-stream', '--format', '{{json .}}', 'st']));
    assert.equal(j.Name, 'st');
    assert.equal(j.ID, id.slice(0, 12));
    assert.match(j.MemUsage, /^\d+(\.\d+)?[KM]iB \/ 64MiB$/);
    assert.match(j.CPUPerc, /^\d+\.\d\d%$/);
    assert.equal(j.PIDs, '1');

    // without names: every running container
    assert.match(await ok(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}']), /^st 1$/m);
  } finally {
    await ok(['rm', '-f', id]);
  }
});

test('GET /stats: one primed sample, one-shot, a stream, and the errors', async () => {
  const id = (await ok(['run', '-d', '--name', 'raw', 'busybox', 'sleep', '300'])).trim();
  try {
    const res = await berth.request('GET', '/v1.41/containers/raw/stats?stream=false');
    assert.equal(res.status, 200);
    const s = res.json<Record<string, any>>();
    assert.deepEqual(Object.keys(s).slice(0, 11), ['read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats', 'name', 'id']);
    assert.equal(s.name, '/raw');
    assert.equal(s.id, id);
    assert.notEqual(s.preread, '0001-01-01T00:00:00Z', 'two samples: precpu_stats filled');
    assert.ok(s.precpu_stats.system_cpu_usage > 0);
    assert.ok(s.cpu_stats.cpu_usage.total_usage > 0);
    assert.ok(s.memory_stats.usage > 0);
    assert.ok(s.memory_stats.limit > 64 * 1024 * 1024, 'no limit: the machine\'s memory');
    assert.equal(typeof s.memory_stats.stats.total_inactive_file, 'number');
    assert.ok(Array.isArray(s.blkio_stats.io_service_bytes_recursive));
    assert.equal(s.pids_stats.current, 1);
    if (s.networks) assert.equal('lo' in s.networks, false);

    const one = (await berth.request('GET', `/containers/${id.slice(0, 12)}/stats?stream=0&one-shot=1`)).json<Record<string, any>>();
    assert.equal(one.preread, '0001-01-01T00:00:00Z');
    assert.equal(one.precpu_stats.system_cpu_usage, undefined);

    const streamed = await streamLines('/v1.41/containers/raw/stats', 2);
    assert.equal(streamed.status, 200);
    assert.equal(streamed.lines.length, 2);
    const [a, b] = streamed.lines.map((l) => JSON.parse(l));
    assert.equal(b.preread, a.read, 'each streamed sample carries the one before');

    const both = await berth.request('GET', '/containers/raw/stats?stream=1&one-shot=1');
    assert.equal(both.status, 400);
    assert.deepEqual(both.json(), { message: 'cannot have stream=true and one-shot=true' });
    const missing = await berth.request('GET', '/containers/nope/stats?stream=0');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { message: 'No such container: nope' });
    assert.match(await fails(['stats', '--no-stream', 'nope']), /No such container: nope/);
  } finally {
    await ok(['rm', '-f', id]);
  }
});

test('stats of a stopped container: zeros, and the stream ends when it is removed', async () => {
  const id = (await ok(['create', '--name', 'idle', 'busybox'])).trim();
  try {
    const row = (await ok(['stats', '--no-stream', '--format', '{{.Name}}|{{.MemUsage}}|{{.PIDs}}', 'idle'])).trim();
    assert.equal(row, 'idle|0B / 0B|0');
    const s = (await berth.request('GET', '/containers/idle/stats?stream=false')).json<Record<string, any>>();
    assert.equal(s.read, '0001-01-01T00:00:00Z');
    assert.deepEqual(s.memory_stats, {});
    assert.equal(s.blkio_stats.io_service_bytes_recursive, null);

    const following = streamLines('/containers/idle/stats', 100);
    await new Promise((r) => setTimeout(r, 1500));
    await ok(['rm', 'idle']);
    const got = await following;
    assert.ok(got.lines.length >= 1 && got.lines.length < 10, `empty samples until removal (${got.lines.length})`);
  } finally {
    await berth.docker(['rm', '-f', id]);
  }
});

test('docker top: the container\'s processes, -o and aux, errors as dockerd', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = (await ok(['run', '-d', '--name', 'tp', 'busybox', 'sleep', '301'])).trim();
  try {
    const lines = (await ok(['top', 'tp'])).trim().split('\n');
    assert.match(lines[0], /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    assert.equal(lines.length, 2);
    assert.match(lines[1], /^root\s+\d+\s+\d+\s+.*sleep 301$/);

    const pidComm = (await ok(['top', 'tp', '-o', 'pid,comm'])).trim().split('\n');
    assert.match(pidComm[0], /^PID\s+COMMAND$/);
    assert.match(pidComm[1], /^\d+\s+sleep$/);

    const aux = (await ok(['top', 'tp', 'aux'])).trim().split('\n');
    assert.match(aux[0], /^USER\s+PID\s+%CPU\s+%MEM\s+VSZ\s+RSS\s+TTY\s+STAT\s+START\s+TIME\s+COMMAND$/);
    assert.match(aux[1], /sleep 301$/);

    const body = (await berth.request('GET', '/containers/tp/top')).json<{ Processes: string[][]; Titles: string[] }>();
    assert.deepEqual(Object.keys(body), ['Processes', 'Titles']);
    assert.equal(body.Processes[0][7], 'sleep 301');

    const events = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=top', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
    assert.match(events, /^top tp$/m, 'dockerd logs a "top" event');

    assert.match(await fails(['top', 'tp', '-o', 'bogus']), /Error response from daemon: ps: error: unknown user-defined format specifier "bogus"/);
    assert.match(await fails(['top', 'nope']), /No such container: nope/);

    await ok(['kill', 'tp']);
    await ok(['wait', 'tp']);
    assert.match(await fails(['top', 'tp']), new RegExp(`Error response from daemon: Container ${id} is not running`));
    const res = await berth.request('GET', '/containers/tp/top');
    assert.equal(res.status, 409);
  } finally {
    await ok(['rm', '-f', id]);
  }
});
