import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails, dockerInPty, dockerEnv, DOCKER_BIN } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
  await dockerOk(berth, ['run', '-d', '--name', 'ex', '-e', 'FROM_RUN=1', '-w', '/tmp', 'busybox', 'sleep', '1000']);
});

after(async () => {
  await berth?.docker(['rm', '-f', 'ex']);
  await berth?.stop();
});

const ok = (args: string[], input?: string): Promise<string> => dockerOk(berth, args, input);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await berth.request(method, path, body as object | undefined);
  return { status: res.status, json: res.body ? JSON.parse(res.body) : undefined };
}

describe('docker exec', () => {
  test('output by stream and the exit code', async () => {
    assert.equal(await ok(['exec', 'ex', 'echo', 'hi']), 'hi\n');
    const res = await berth.docker(['exec', 'ex', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(res.code, 3);
    assert.equal(res.stdout, 'out\n');
    assert.equal(res.stderr, 'err\n');
  });

  test('-e, -w, -u and the container\'s env and working dir', async () => {
    assert.equal(await ok(['exec', '-e', 'FOO=bar', 'ex', 'sh', '-c', 'echo $FOO $FROM_RUN; pwd']), 'bar 1\n/tmp\n');
    assert.equal(await ok(['exec', '-w', '/etc', 'ex', 'pwd']), '/etc\n');
    assert.equal(await ok(['exec', '-u', 'nobody', 'ex', 'id']), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n');
    assert.match(await fails(['exec', '-u', 'nosuchuser', 'ex', 'id']), /unable to find user nosuchuser: no matching entries in passwd file/);
  });

  test('-i: stdin flows in and its end closes the process\'s stdin', async () => {
    assert.equal(await ok(['exec', '-i', 'ex', 'cat'], 'line one\nline two\n'), 'line one\nline two\n');
    assert.equal(await ok(['exec', '-i', 'ex', 'wc', '-c'], 'x'.repeat(100_000)), '100000\n');
  });

  test('-d runs in the background', async () => {
    assert.equal(await ok(['exec', '-d', 'ex', 'sh', '-c', 'sleep 0.2; echo done > /tmp/bg']), '');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await berth.docker(['exec', 'ex', 'cat', '/tmp/bg']);
      if (res.code === 0) {
        assert.equal(res.stdout, 'done\n');
        break;
      }
      assert.ok(Date.now() < deadline, 'the detached exec did not run');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test('a command that cannot run: dockerd\'s message and 127/126', async () => {
    const res = await berth.docker(['exec', 'ex', 'nosuchcommand']);
    assert.equal(res.code, 127);
    assert.match(res.stdout + res.stderr, /OCI runtime exec failed: exec failed: .*executable file not found in \$PATH: unknown/);
    const dir = await berth.docker(['exec', 'ex', '/etc']);
    assert.equal(dir.code, 126);
  });

  test('errors: unknown container, stopped container, no command', async () => {
    assert.match(await fails(['exec', 'nosuch', 'true']), /No such container: nosuch/);
    const id = (await ok(['create', '--name', 'idle', 'busybox'])).trim();
    assert.match(await fails(['exec', 'idle', 'true']), new RegExp(`Container ${id} is not running`));
    const none = await api('POST', '/containers/ex/exec', { Cmd: [] });
    assert.equal(none.status, 400);
    assert.equal(none.json.message, 'No exec command specified');
    await ok(['rm', 'idle']);
  });

  test('create, inspect, detached start, start twice, resize errors through the API', async () => {
    const created = await api('POST', '/containers/ex/exec', { Cmd: ['sh', '-c', 'exit 5'], AttachStdout: true, User: 'nobody' });
    assert.equal(created.status, 201);
    const id = created.json.Id as string;
    assert.match(id, /^[0-9a-f]{64}$/);
    const before = await api('GET', `/exec/${id}/json`);
    assert.equal(before.status, 200);
    assert.deepEqual(Object.keys(before.json), ['ID', 'Running', 'ExitCode', 'ProcessConfig', 'OpenStdin', 'OpenStderr', 'OpenStdout', 'CanRemove', 'ContainerID', 'DetachKeys', 'Pid']);
    assert.equal(before.json.ExitCode, null);
    assert.deepEqual(before.json.ProcessConfig, { tty: false, entrypoint: 'sh', arguments: ['-c', 'exit 5'], privileged: false, user: 'nobody' });
    const [c] = JSON.parse(await ok(['inspect', 'ex']));
    assert.ok(c.ExecIDs?.includes(id) ?? true, 'listed in ExecIDs while it exists');

    const started = await api('POST', `/exec/${id}/start`, { Detach: true });
    assert.equal(started.status, 200);
    const deadline = Date.now() + 10_000;
    let after = await api('GET', `/exec/${id}/json`);
    while (after.json.ExitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = await api('GET', `/exec/${id}/json`);
    }
    assert.equal(after.json.ExitCode, 5);
    assert.equal(after.json.Running, false);
    assert.ok(after.json.Pid > 0);
    const again = await api('POST', `/exec/${id}/start`, { Detach: true });
    assert.equal(again.status, 409);
    assert.equal(again.json.message, `Error: Exec command ${id} has already run`);

    const missing = await api('GET', '/exec/nosuch/json');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'No such exec instance: nosuch');
    assert.equal((await api('POST', '/exec/nosuch/start', { Detach: true })).status, 404);
    assert.equal((await api('POST', '/exec/nosuch/resize?h=10&w=10')).status, 404);
  });

  test('events: exec_create, exec_start, exec_die with the exit code', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await berth.docker(['exec', 'ex', 'sh', '-c', 'exit 2']);
    const until = Math.floor(Date.now() / 1000) + 1;
    const out = await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'container=ex',
      '--format', '{{.Action}}|{{.Actor.Attributes.execID}}|{{.Actor.Attributes.exitCode}}|{{.Actor.Attributes.name}}']);
    const mine = out.trim().split('\n').find((l) => l.startsWith('exec_create: sh -c exit 2|'))?.split('|')[1];
    assert.ok(mine, out);
    const lines = out.trim().split('\n').filter((l) => l.split('|')[1] === mine);
    assert.equal(lines.length, 3, out);
    const [create, start, die] = lines.map((l) => l.split('|'));
    assert.equal(create[0], "exec_create: sh -c exit 2");
    assert.equal(start[0], "exec_start: sh -c exit 2");
    assert.deepEqual([die[0], die[2], die[3]], ['exec_die', '2', 'ex']);
    assert.match(create[1], /^[0-9a-f]{64}$/);
    assert.equal(start[1], create[1]);
    assert.equal(die[1], create[1]);
  });

  test('-it under a real terminal: prompt, size, exit code', async () => {
    const res = await dockerInPty(berth, ['exec', '-it', 'ex', 'sh'], [
      // ash asks the terminal where the cursor is (ESC[6n), then redraws its prompt
      { expect: /\/tmp # /, send: 'stty size; echo "tty-$((40+2)) $TERM"\r' },
      { expect: /tty-42 xterm/, send: 'exit 6\r' },
    ], { rows: 33, cols: 101 });
    assert.match(res.output, /^33 101\r?$/m);
    assert.equal(res.code, 6);
  });

  test('-it: resizing the terminal resizes the exec\'s TTY', async () => {
    // `script` gives the CLI a terminal; resizing that terminal (stty -F) sends the CLI SIGWINCH
    const child = spawn('script', ['-qefc', `stty rows 24 cols 80; exec ${DOCKER_BIN} exec -it ex sh`, '/dev/null'], {
      env: dockerEnv({ host: berth.dockerHost, configDir: berth.dockerConfig }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!re.test(output)) {
        assert.ok(Date.now() < deadline, `waiting for ${re}: ${JSON.stringify(output)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/\/tmp # /);
      child.stdin.write('stty size\r');
      await waitFor(/^24 80\r?$/m);
      // the CLI is the process whose stdin is the terminal script made
      const cli = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).find((p) => {
        try {
          const argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
          return argv[0] === DOCKER_BIN && argv.includes('-it') && fs.readFileSync(`/proc/${p}/environ`, 'utf8').includes(berth.dockerHost);
        } catch {
          return false;
        }
      });
      assert.ok(cli, 'the docker CLI process');
      const tty = fs.readlinkSync(`/proc/${cli}/fd/0`);
      assert.match(tty, /^\/dev\/pts\/\d+$/);
      execFileSync('stty', ['-F', tty, 'rows', '50', 'cols', '132']);
      await new Promise((r) => setTimeout(r, 300));
      child.stdin.write('stty size\r');
      await waitFor(/^50 132\r?$/m);
      child.stdin.write('exit\r');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('the container stopping ends a running exec and clears ExecIDs', async () => {
    await ok(['run', '-d', '--name', 'shortlived', 'busybox', 'sleep', '1000']);
    const pending = (await api('POST', '/containers/shortlived/exec', { Cmd: ['true'] })).json.Id as string;
    const running = berth.docker(['exec', 'shortlived', 'sleep', '100']);
    await new Promise((r) => setTimeout(r, 500));
    await ok(['kill', 'shortlived']);
    const res = await running;
    assert.equal(res.code, 137);
    // the exec's exit can be seen before the container's
    const deadline = Date.now() + 10_000;
    while ((await ok(['inspect', '-f', '{{.State.Status}}', 'shortlived'])).trim() !== 'exited') {
      assert.ok(Date.now() < deadline, 'the container did not stop');
      await new Promise((r) => setTimeout(r, 100));
    }
    const [c] = JSON.parse(await ok(['inspect', 'shortlived']));
    assert.ok(c.ExecIDs === null || c.ExecIDs.length === 0, JSON.stringify(c.ExecIDs));
    assert.equal((await api('GET', `/exec/${pending}/json`)).status, 404, 'a never-started exec is forgotten');
    await ok(['rm', 'shortlived']);
  });
});
