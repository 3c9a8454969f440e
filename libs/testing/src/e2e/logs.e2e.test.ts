import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails, DOCKER_BIN } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);

/** Runs a detached container and waits until it has exited. */
async function ranToEnd(name: string, args: string[], opts: string[] = []): Promise<void> {
  await ok(['run', '-d', '--name', name, ...opts, 'busybox', ...args]);
  assert.equal((await ok(['wait', name])).trim(), '0');
}

test('docker logs: stdout and stderr apart, --tail, -t, --details', async () => {
  await ranToEnd('lg1', ['sh', '-c', 'echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; sleep 0.1; echo err2 >&2; sleep 0.1; echo out3']);
  const res = await berth.docker(['logs', 'lg1']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, 'out1\nout2\nout3\n', 'docker logs lg1 2>/dev/null');
  assert.equal(res.stderr, 'err1\nerr2\n');

  assert.equal(await ok(['logs', '--tail', '2', 'lg1']), 'out3\n', 'the last two lines are err2 and out3');
  const tail2 = await berth.docker(['logs', '--tail', '2', 'lg1']);
  assert.equal(tail2.stderr, 'err2\n');
  assert.equal(await ok(['logs', '--tail', '0', 'lg1']), '');
  assert.equal(await ok(['logs', '--tail', 'all', 'lg1']), 'out1\nout2\nout3\n');

  const stamped = (await ok(['logs', '-t', 'lg1'])).split('\n').filter(Boolean);
  assert.equal(stamped.length, 3);
  for (const [i, line] of stamped.entries()) assert.match(line, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z out${i + 1}$`));
  assert.match(await ok(['logs', '--details', '--tail', '1', 'lg1']), /^ out3\n$/);
  await ok(['rm', 'lg1']);
});

test('docker logs --since and --until pick lines by their time', async () => {
  await ranToEnd('lg2', ['sh', '-c', 'echo early; sleep 1.5; echo late']);
  const lines = (await ok(['logs', '-t', 'lg2'])).trim().split('\n');
  const lateAt = lines[1].split(' ')[0];
  assert.equal(await ok(['logs', '--since', lateAt, 'lg2']), 'late\n');
  const earlyAt = new Date(Date.parse(lines[0].split(' ')[0]) + 500).toISOString();
  assert.equal(await ok(['logs', '--until', earlyAt, 'lg2']), 'early\n');
  assert.equal(await ok(['logs', '--since', String(Math.floor(Date.now() / 1000) + 60), 'lg2']), '');
  await ok(['rm', 'lg2']);
});

test('docker logs -f streams until the container exits', async () => {
  await ok(['run', '-d', '--name', 'lg3', 'busybox', 'sh', '-c', 'echo first; sleep 2; echo second; echo oops >&2; sleep 0.5']);
  const cli = berth.spawnDocker(['logs', '-f', 'lg3']);
  let out = '';
  let err = '';
  cli.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  cli.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
  assert.equal(code, 0, err);
  assert.equal(out, 'first\nsecond\n');
  assert.equal(err, 'oops\n');
  assert.ok(Date.now() - started < 10_000, 'ended with the container');
  // Following a stopped container prints and ends.
  assert.equal(await ok(['logs', '-f', 'lg3']), 'first\nsecond\n');
  await ok(['rm', 'lg3']);
});

test('docker logs -f on a quiet running container answers at once; stopping the client is fine', async () => {
  await ok(['run', '-d', '--name', 'lg4', 'busybox', 'sh', '-c', 'echo hello; exec sleep 100']);
  const cli = berth.spawnDocker(['logs', '-f', 'lg4']);
  let out = '';
  cli.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const deadline = Date.now() + 5000;
  while (out !== 'hello\n' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(out, 'hello\n');
  cli.kill('SIGTERM');
  await new Promise((r) => cli.on('exit', r));
  await ok(['rm', '-f', 'lg4']);
});

test('a TTY container logs raw, everything on stdout', async () => {
  await ranToEnd('lg5', ['sh', '-c', 'echo tty-out; echo tty-err >&2'], ['-t']);
  const res = await berth.docker(['logs', 'lg5']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, 'tty-out\r\ntty-err\r\n');
  assert.equal(res.stderr, '');
  const api = await berth.request('GET', '/v1.45/containers/lg5/logs?stdout=1&stderr=1');
  assert.equal(api.headers['content-type'], 'application/vnd.docker.raw-stream');
  assert.equal(api.body, 'tty-out\r\ntty-err\r\n');
  await ok(['rm', 'lg5']);
});

test('long lines split by conmon come back whole; API errors and content types as dockerd', async () => {
  await ranToEnd('lg6', ['sh', '-c', 'head -c 20000 /dev/zero | tr "\\0" x; echo; echo next']);
  assert.equal(await ok(['logs', 'lg6']), `${'x'.repeat(20000)}\nnext\n`);

  const mux = await berth.request('GET', '/v1.45/containers/lg6/logs?stdout=1&tail=1');
  assert.equal(mux.status, 200);
  assert.equal(mux.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
  assert.deepEqual([...mux.raw], [1, 0, 0, 0, 0, 0, 0, 5, ...Buffer.from('next\n')]);
  const old = await berth.request('GET', '/v1.41/containers/lg6/logs?stdout=1&tail=1');
  assert.equal(old.headers['content-type'], 'application/vnd.docker.raw-stream');
  assert.deepEqual([...old.raw], [...mux.raw], 'still framed: the content type alone changes');

  const none = await berth.request('GET', '/containers/lg6/logs');
  assert.equal(none.status, 400);
  assert.deepEqual(none.json(), { message: 'Bad parameters: you must choose at least one stream' });
  const missing = await berth.request('GET', '/containers/nope/logs?stdout=1');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json(), { message: 'No such container: nope' });
  assert.match(await dockerFails(berth, ['logs', 'nope']), /No such container: nope/);
  await ok(['rm', 'lg6']);
});

test('docker logs of 50 MB of output is several times faster than dockerd json-file (~6 MB/s)', async () => {
  await ranToEnd('lg7', ['sh', '-c', 'yes "the quick brown fox jumps over the lazy dog, again and again and again" | head -c 52428800']);
  const env = { ...process.env, DOCKER_HOST: berth.dockerHost, DOCKER_CONFIG: berth.dockerConfig };
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = process.hrtime.bigint();
    // To /dev/null as a user would time it: the CLI's own writes are part of the cost, a pipe into this process would be the bottleneck.
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn(DOCKER_BIN, ['logs', 'lg7'], { env, stdio: ['ignore', fs.openSync('/dev/null', 'w'), 'inherit'] });
      p.on('exit', resolve);
    });
    assert.equal(code, 0);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  const mbs = 50 / best;
  process.stderr.write(`# docker logs of 50 MB: best ${best.toFixed(2)} s = ${mbs.toFixed(1)} MB/s\n`);
  // dockerd 20.10 on these machines takes 7-9 s for the same log; a busy machine gets some slack.
  assert.ok(mbs > 12, `${mbs.toFixed(1)} MB/s`);
  const line = 'the quick brown fox jumps over the lazy dog, again and again and again';
  // 50 MiB is not a whole number of lines: the last one ends without its newline, as the container wrote it.
  const last = (await ok(['logs', '--tail', '2', 'lg7'])).split('\n');
  assert.equal(last.length, 2);
  assert.equal(last[0], line);
  assert.ok(line.startsWith(last[1]) && last[1].length === 52428800 % (line.length + 1), last[1]);
  await ok(['rm', 'lg7']);
});
