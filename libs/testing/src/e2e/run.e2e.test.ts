import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Berth, startBerthWithBusybox, dockerOk, dockerFails, dockerInPty, mountsUnder } from '../index';

let berth: Berth;

before(async () => {
  berth = await startBerthWithBusybox();
});

after(async () => {
  await berth?.stop();
});

const ok = (args: string[], input?: string): Promise<string> => dockerOk(berth, args, input);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);
const inspect = async (name: string): Promise<Record<string, any>> => JSON.parse(await ok(['inspect', name]))[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('docker run, foreground', () => {
  test('prints output, exits with the container code, removes --rm containers', async () => {
    assert.equal(await ok(['run', '--rm', 'busybox', 'echo', 'hi']), 'hi\n');
    const res = await berth.docker(['run', '--name', 'exit42', 'busybox', 'sh', '-c', 'exit 42']);
    assert.equal(res.code, 42);
    const c = await inspect('exit42');
    assert.equal(c.State.Status, 'exited');
    assert.equal(c.State.ExitCode, 42);
    assert.notEqual(c.State.FinishedAt, '0001-01-01T00:00:00Z');
    assert.equal((await ok(['ps', '-aq', '--filter', 'ancestor=busybox', '--filter', 'exited=0'])).trim(), '', 'the --rm container is gone');
    await ok(['rm', 'exit42']);
  });

  test('stdout and stderr stay apart', async () => {
    const res = await berth.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(res.stdout, 'out\n');
    assert.equal(res.stderr, 'err\n');
  });

  test('-e, -w, -u, --entrypoint, --hostname, --add-host', async () => {
    assert.equal(await ok(['run', '--rm', '-e', 'FOO=bar', 'busybox', 'sh', '-c', 'echo $FOO $HOME $PATH']), 'bar /root /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
    assert.equal(await ok(['run', '--rm', '-w', '/made/here', 'busybox', 'pwd']), '/made/here\n');
    assert.equal(await ok(['run', '--rm', '-u', 'nobody', 'busybox', 'id']), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n');
    assert.equal(await ok(['run', '--rm', '-u', '1234:5678', 'busybox', 'id', '-u']), '1234\n');
    assert.equal(await ok(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'from', 'entrypoint']), 'from entrypoint\n');
    assert.equal(await ok(['run', '--rm', '--hostname', 'myhost', 'busybox', 'hostname']), 'myhost\n');
    assert.match(await ok(['run', '--rm', '--add-host', 'db.local:10.1.2.3', 'busybox', 'cat', '/etc/hosts']), /^10\.1\.2\.3\tdb\.local$/m);
    assert.match(await fails(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'true']), /unable to find user nosuchuser/);
  });

  test('a missing command exits 127 with the runtime error', async () => {
    const res = await berth.docker(['run', '--rm', 'busybox', 'nosuchcommand']);
    assert.equal(res.code, 127);
    assert.match(res.stderr, /executable file not found in \$PATH/);
  });

  test('--read-only, --tmpfs, --init, --memory, --privileged', async () => {
    assert.match(await fails(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']), /Read-only file system/);
    assert.match(await ok(['run', '--rm', '--read-only', '--tmpfs', '/run:size=1m', 'busybox', 'sh', '-c', 'touch /run/x && grep " /run " /proc/mounts']), /^tmpfs \/run tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k/m);
    assert.match(await ok(['run', '--rm', '--init', 'busybox', 'cat', '/proc/1/cmdline']), /^\/sbin\/docker-init\0--\0cat/);
    assert.equal(await ok(['run', '--rm', '--memory', '64m', 'busybox', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']), '67108864\n');
    assert.match(await ok(['run', '--rm', '--cap-add', 'NET_ADMIN', 'busybox', 'grep', 'CapEff', '/proc/self/status']), /CapEff:\s+00000000a80435fb/);
    await ok(['run', '--rm', '--privileged', 'busybox', 'sh', '-c', 'mkdir /m && mount -t tmpfs none /m']);
    assert.match(await fails(['run', '--rm', 'busybox', 'sh', '-c', 'mkdir /m && mount -t tmpfs none /m']), /permission denied/i);
    assert.equal(await ok(['run', '--rm', '--device', '/dev/null:/dev/mynull', 'busybox', 'sh', '-c', 'echo x > /dev/mynull && stat -c %t,%T /dev/mynull']), '1,3\n');
  });

  test('HostConfig reaches the container: DNS, domain, sysctls, ulimits, cgroup limits, /dev/shm, groups, capabilities, stop signal', async () => {
    const resolv = await ok(['run', '--rm', '--dns', '10.9.8.7', '--dns-search', 'corp.example', '--dns-option', 'ndots:3', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.match(resolv, /^nameserver 10\.9\.8\.7$/m);
    assert.match(resolv, /^search corp\.example$/m);
    assert.match(resolv, /^options ndots:3$/m);
    assert.equal(await ok(['run', '--rm', '--domainname', 'example.org', 'busybox', 'cat', '/proc/sys/kernel/domainname']), 'example.org\n');
    assert.equal(await ok(['run', '--rm', '--sysctl', 'net.ipv4.ip_forward=1', 'busybox', 'cat', '/proc/sys/net/ipv4/ip_forward']), '1\n');
    assert.equal(await ok(['run', '--rm', '--ulimit', 'nofile=1024:2048', 'busybox', 'sh', '-c', 'ulimit -n; ulimit -Hn']), '1024\n2048\n');
    const cg = await ok([
      'run', '--rm', '--cpus', '0.5', '--pids-limit', '50', '--cpuset-cpus', '0', '--memory', '64m', '--oom-kill-disable', 'busybox', 'sh', '-c',
      'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpuset/cpuset.cpus; grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control',
    ]);
    assert.equal(cg, '50000\n50\n0\noom_kill_disable 1\n');
    assert.match(await ok(['run', '--rm', '--shm-size', '8m', 'busybox', 'grep', ' /dev/shm ', '/proc/mounts']), /size=8192k/);
    assert.match(await ok(['run', '--rm', '-u', 'nobody', '--group-add', '10', 'busybox', 'id', '-G']), /\b10\b/);
    assert.match(await fails(['run', '--rm', '--cap-drop', 'CHOWN', 'busybox', 'chown', 'nobody', '/tmp']), /Operation not permitted/);
    await ok(['run', '-d', '--name', 'usr1stop', '--stop-signal', 'USR1', 'busybox', 'sh', '-c', 'trap "exit 9" USR1; while true; do sleep 0.1; done']);
    await ok(['stop', 'usr1stop']);
    assert.equal((await inspect('usr1stop')).State.ExitCode, 9);
    await ok(['rm', 'usr1stop']);
  });

  test('seccomp filter by default, none when unconfined or privileged; /.dockerenv is there', async () => {
    assert.match(await ok(['run', '--rm', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+2/);
    assert.match(await ok(['run', '--rm', '--security-opt', 'seccomp=unconfined', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+0/);
    assert.match(await ok(['run', '--rm', '--privileged', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+0/);
    assert.equal(await ok(['run', '--rm', 'busybox', 'stat', '-c', '%s %a', '/.dockerenv']), '0 755\n');
  });

  test('volumes: named data survives to a second container; binds, read-only binds', async () => {
    await ok(['run', '--rm', '-v', 'keep:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/f']);
    assert.equal(await ok(['run', '--rm', '-v', 'keep:/data', 'busybox', 'cat', '/data/f']), 'persisted\n');
    // a new named volume is filled from the image's files at its mount point
    assert.match(await ok(['run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'cat', '/etc/group']), /^root:x:0:/m);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bind-'));
    try {
      fs.writeFileSync(path.join(dir, 'a'), 'hostfile\n');
      assert.equal(await ok(['run', '--rm', '-v', `${dir}:/data:ro`, 'busybox', 'cat', '/data/a']), 'hostfile\n');
      assert.match(await fails(['run', '--rm', '-v', `${dir}:/data:ro`, 'busybox', 'touch', '/data/b']), /Read-only file system/);
      await ok(['run', '--rm', '-v', `${dir}:/data`, 'busybox', 'touch', '/data/b']);
      assert.ok(fs.existsSync(path.join(dir, 'b')));
      const missing = path.join(dir, 'created', 'by', 'run');
      await ok(['run', '--rm', '-v', `${missing}:/m`, 'busybox', 'true']);
      assert.ok(fs.statSync(missing).isDirectory(), 'a missing bind source is created');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const c = JSON.parse(await ok(['inspect', (await ok(['create', '-v', 'keep:/data', 'busybox'])).trim()]))[0];
    assert.equal(c.Mounts[0].Type, 'volume');
    assert.equal(c.Mounts[0].Name, 'keep');
    assert.equal(c.Mounts[0].Destination, '/data');
    assert.match(await fails(['volume', 'rm', 'keep']), /volume is in use/);
    // --volumes-from shares the other container's volumes at the same places
    assert.equal(await ok(['run', '--rm', '--volumes-from', c.Id, 'busybox', 'cat', '/data/f']), 'persisted\n');
    assert.match(await fails(['run', '--rm', '--volumes-from', `${c.Id}:ro`, 'busybox', 'touch', '/data/g']), /Read-only file system/);
    await ok(['rm', c.Id]);
    await ok(['volume', 'rm', 'keep', 'etcvol']);
  });

  test('-i pipes stdin and closes it at EOF', async () => {
    assert.equal(await ok(['run', '-i', '--rm', 'busybox', 'cat'], 'data\n'), 'data\n');
    assert.equal(await ok(['run', '-i', '--rm', 'busybox', 'wc', '-c'], 'x'.repeat(100_000)), '100000\n');
  });

  test('-it under a pseudo-terminal: prompt, command, terminal size', async () => {
    const res = await dockerInPty(berth, ['run', '-it', '--rm', 'busybox', 'sh'], [
      { expect: /\/ # /, send: 'stty size; echo tty-$((40+2))\r' },
      { expect: /tty-42/, resize: { rows: 50, cols: 132 }, send: 'stty size\r' },
      { expect: /^50 132\r?$/m, send: 'exit 3\r' },
    ], { rows: 33, cols: 101 });
    assert.match(res.output, /^33 101\r?$/m);
    assert.equal(res.code, 3);
  });

  test('ctrl-p ctrl-q detaches from -it and leaves the container running', async () => {
    const res = await dockerInPty(berth, ['run', '-it', '--name', 'detachme', 'busybox', 'sh'], [{ expect: /\/ # /, send: '\x10\x11' }]);
    assert.equal(res.code, 0, res.output);
    assert.equal((await inspect('detachme')).State.Status, 'running');
    await ok(['rm', '-f', 'detachme']);
  });

  test('--restart on-failure:2 restarts twice', async () => {
    await ok(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 1']);
    await until('two restarts', async () => {
      const c = await inspect('flaky');
      return c.RestartCount === 2 && c.State.Status === 'exited';
    });
    assert.equal((await inspect('flaky')).State.ExitCode, 1);
    await ok(['rm', 'flaky']);
  });
});

describe('detached containers', () => {
  test('run -d, ps, inspect, logs of attach, stop, kill, restart, pause, wait, rename, rm -f, prune', async () => {
    const id = (await ok(['run', '-d', '--name', 'web', '--label', 'tier=front', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const c = await inspect('web');
    assert.equal(c.State.Status, 'running');
    assert.equal(c.State.Running, true);
    assert.ok(c.State.Pid > 0);
    assert.match(c.State.StartedAt, /^\d{4}-\d\d-\d\dT/);
    assert.match(c.HostsPath, /hosts$/);
    assert.match(await ok(['ps', '--format', '{{.Names}} {{.Status}}']), /^web Up (Less than a second|\d+ seconds?)$/m);
    assert.equal((await ok(['ps', '-q', '--filter', 'label=tier=front', '--no-trunc'])).trim(), id);
    assert.equal((await ok(['ps', '-q', '--filter', 'status=exited', '--filter', 'name=web'])).trim(), '');

    // pause / unpause
    await ok(['pause', 'web']);
    assert.match(await ok(['ps', '--format', '{{.Names}} {{.Status}}']), /^web Up .* \(Paused\)$/m);
    assert.match(await fails(['pause', 'web']), /is already paused/);
    await ok(['unpause', 'web']);
    assert.equal((await inspect('web')).State.Status, 'running');

    // a TERM-trapping shell stops at once
    const t0 = Date.now();
    await ok(['stop', 'web']);
    assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms`);
    assert.equal((await inspect('web')).State.ExitCode, 0);
    assert.match(await ok(['ps', '-a', '--format', '{{.Names}} {{.Status}}']), /^web Exited \(0\) /m);

    await ok(['start', 'web']);
    assert.equal((await inspect('web')).State.Status, 'running');
    await ok(['restart', '-t', '1', 'web']);
    assert.equal((await inspect('web')).State.Status, 'running');
    await ok(['rename', 'web', 'web2']);
    await ok(['rm', '-f', 'web2']);
    assert.match(await fails(['inspect', 'web2']), /No such object: web2/);
  });

  test('a shell ignoring TERM is killed after -t 1', async () => {
    await ok(['run', '-d', '--name', 'stubborn', 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
    const t0 = Date.now();
    await ok(['stop', '-t', '1', 'stubborn']);
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 6000, `stop took ${took} ms`);
    assert.equal((await inspect('stubborn')).State.ExitCode, 137);
    assert.match(await fails(['kill', 'stubborn']), /is not running/);
    await ok(['rm', 'stubborn']);
  });

  test('kill -s USR1 reaches the process; wait returns the exit code', async () => {
    await ok(['run', '-d', '--name', 'sig', 'busybox', 'sh', '-c', 'trap "exit 7" USR1; while true; do sleep 0.1; done']);
    await sleep(300);
    await ok(['kill', '-s', 'USR1', 'sig']);
    assert.equal((await ok(['wait', 'sig'])).trim(), '7');
    await ok(['run', '-d', '--name', 'later', 'busybox', 'sh', '-c', 'sleep 1; exit 5']);
    assert.equal((await ok(['wait', 'later'])).trim(), '5');
    assert.match(await fails(['rm', 'sig', 'nosuch']), /No such container: nosuch/);
    await ok(['rm', 'later']);
  });

  test('rm of a running container needs -f; prune removes stopped ones only', async () => {
    await ok(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '60']);
    assert.match(await fails(['rm', 'busy']), /cannot remove container "\/busy": container is running: stop the container before removing or force remove/);
    await ok(['create', '--name', 'idle', 'busybox']);
    const pruned = await ok(['container', 'prune', '-f']);
    assert.match(pruned, /Deleted Containers:/);
    assert.match(await ok(['ps', '-a', '--format', '{{.Names}}']), /^busy$/m);
    assert.doesNotMatch(await ok(['ps', '-a', '--format', '{{.Names}}']), /^idle$/m);
    await ok(['rm', '-f', 'busy']);
  });

  test('docker attach receives the output of a running container', async () => {
    await ok(['run', '-d', '--name', 'talker', 'busybox', 'sh', '-c', 'for i in $(seq 1 50); do echo tick-$i; sleep 0.1; done']);
    const res = await berth.docker(['attach', 'talker']);
    assert.match(res.stdout, /tick-\d+\n/);
    assert.match(res.stdout, /tick-50\n$/);
    await ok(['rm', 'talker']);
  });

  test('docker update changes the restart policy and memory of a running container', async () => {
    await ok(['run', '-d', '--name', 'upd', '--memory', '64m', 'busybox', 'sleep', '60']);
    await ok(['update', '--memory', '96m', '--memory-swap', '200m', '--restart', 'always', 'upd']);
    const c = await inspect('upd');
    assert.equal(c.HostConfig.Memory, 96 * 1024 * 1024);
    assert.equal(c.HostConfig.RestartPolicy.Name, 'always');
    assert.equal(fs.readFileSync(`/sys/fs/cgroup/memory/berth/${c.Id}/memory.limit_in_bytes`, 'utf8').trim(), String(96 * 1024 * 1024));
    await ok(['rm', '-f', 'upd']);
  });
});

describe('events', () => {
  test('the life of a container in docker events, in the order dockerd gives', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['run', '--name', 'evented', 'busybox', 'true']);
    await ok(['run', '-d', '--name', 'evented2', 'busybox', 'sleep', '60']);
    await ok(['pause', 'evented2']);
    await ok(['unpause', 'evented2']);
    await ok(['kill', '-s', 'USR1', 'evented2']);
    await ok(['restart', '-t', '0', 'evented2']);
    await ok(['rename', 'evented2', 'evented3']);
    await ok(['rm', '-f', 'evented', 'evented3']);
    const until = Math.ceil(Date.now() / 1000) + 1;
    const out = await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=container', '--format', '{{.Actor.Attributes.name}} {{.Action}}']);
    const first = out.split('\n').filter((l) => l.startsWith('evented '));
    assert.deepEqual(first, ['evented create', 'evented attach', 'evented start', 'evented die', 'evented destroy']);
    const second = out.split('\n').filter((l) => /^evented[23] /.test(l)).map((l) => l.split(' ')[1]);
    for (const action of ['create', 'start', 'pause', 'unpause', 'kill', 'die', 'stop', 'restart', 'rename', 'destroy']) {
      assert.ok(second.includes(action), `${action} in ${second.join(',')}`);
    }
    const died = JSON.parse((await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'event=die', '--filter', 'container=evented', '--format', '{{json .}}'])).trim().split('\n')[0]);
    assert.equal(died.Actor.Attributes.exitCode, '0');
  });
});

describe('resilience', () => {
  test('containers keep running while container-service restarts, and are managed after', async () => {
    const names = ['live1', 'live2', 'live3'];
    for (const n of names) await ok(['run', '-d', '--name', n, 'busybox', 'sh', '-c', 'trap "exit 0" TERM; i=0; while true; do i=$((i+1)); echo line-$i; sleep 0.1; done']);
    const pids = await Promise.all(names.map(async (n) => (await inspect(n)).State.Pid as number));
    await berth.killService('container');
    for (const pid of pids) assert.ok(fs.existsSync(`/proc/${pid}`), `container process ${pid} survives`);
    await berth.startService('container');
    const running = (await ok(['ps', '--format', '{{.Names}}'])).trim().split('\n');
    for (const n of names) assert.ok(running.includes(n), `${n} listed after the restart`);
    const follow = berth.docker(['logs', '-f', '--tail', '1', 'live3']);
    await sleep(300);
    await ok(['stop', 'live1']);
    const waiting = berth.docker(['wait', 'live2']);
    await sleep(200);
    await ok(['kill', '-s', 'TERM', 'live2']);
    assert.equal((await waiting).stdout.trim(), '0');
    await ok(['stop', 'live3']);
    const followed = await follow;
    assert.equal(followed.code, 0, followed.stderr);
    assert.ok(followed.stdout.trim().split('\n').length >= 2, 'logs -f kept streaming until the stop');
    await ok(['rm', '-f', 'live1', 'live2', 'live3']);
  });

  test('a restart-policy container that died while container-service was down is restarted by it', async () => {
    await ok(['run', '-d', '--name', 'phoenix', '--restart', 'always', 'busybox', 'sleep', '300']);
    const before = await inspect('phoenix');
    await berth.killService('container');
    process.kill(before.State.Pid, 'SIGKILL');
    await berth.startService('container');
    await until('phoenix running again', async () => {
      const c = await inspect('phoenix');
      return c.State.Status === 'running' && c.State.Pid !== before.State.Pid;
    });
    assert.equal((await inspect('phoenix')).RestartCount, 1);
    await ok(['rm', '-f', 'phoenix']);
  });

  test('docker system df lists images, containers and volumes', async () => {
    await ok(['create', '--name', 'dfc', '-v', 'dfvol:/x', 'busybox']);
    const out = await ok(['system', 'df']);
    assert.match(out, /^Images\s+1\s+1\s+/m);
    assert.match(out, /^Containers\s+\d+\s+\d+\s+/m);
    assert.match(out, /^Local Volumes\s+\d+\s+\d+\s+/m);
    const verbose = await ok(['system', 'df', '-v']);
    assert.match(verbose, /dfvol/);
    await ok(['rm', '-v', 'dfc']);
    await ok(['volume', 'rm', 'dfvol']);
  });

  test('ps --size and inspect --size report the writable layer', async () => {
    await ok(['run', '--name', 'sized', 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero > /big']);
    assert.match(await ok(['ps', '-a', '--size', '--filter', 'name=sized', '--format', '{{.Size}}']), /^100kB \(virtual \d/);
    const c = JSON.parse(await ok(['inspect', '--size', 'sized']))[0];
    assert.ok(c.SizeRw >= 100000, `SizeRw ${c.SizeRw}`);
    assert.ok(c.SizeRootFs > c.SizeRw);
    await ok(['rm', 'sized']);
  });

  test('50 concurrent run -d: distinct names, nothing leaked after rm -f', async () => {
    const runs = await Promise.all(Array.from({ length: 50 }, () => berth.docker(['run', '-d', 'busybox', 'sleep', '300'])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const ids = runs.map((r) => r.stdout.trim());
    const names = await Promise.all(ids.map(async (id) => (await inspect(id)).Name as string));
    assert.equal(new Set(names).size, 50);
    const rm = await berth.docker(['rm', '-f', ...ids]);
    assert.equal(rm.code, 0, rm.stderr);
    const left = (await ok(['ps', '-aq', '--no-trunc'])).trim().split('\n');
    for (const id of ids) assert.ok(!left.includes(id), `${id} removed`);
    assert.deepEqual(mountsUnder(path.join(berth.dataRoot, 'containers')), []);
    for (const id of ids) assert.ok(!fs.existsSync(`/sys/fs/cgroup/memory/berth/${id}`), `cgroup of ${id} removed`);
    const conmons = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(berth.runRoot) && fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'conmon';
      } catch {
        return false;
      }
    });
    assert.deepEqual(conmons, []);
  });
});

test('options Berth does not implement are refused at create, never run without', async () => {
  const before = (await ok(['ps', '-aq'])).trim();
  for (const [args, message] of [
    [['--pid', 'host'], /--pid \(HostConfig\.PidMode\) is not supported by Berth yet/],
    [['--ipc', 'host'], /--ipc \(HostConfig\.IpcMode\) is not supported by Berth yet/],
    [['--blkio-weight', '300'], /--blkio-weight \(HostConfig\.BlkioWeight\) is not supported by Berth yet/],
    [['--memory-swappiness', '10'], /--memory-swappiness \(HostConfig\.MemorySwappiness\) is not supported by Berth yet/],
    [['--cpu-rt-runtime', '950000'], /--cpu-rt-runtime \(HostConfig\.CpuRealtimeRuntime\) is not supported by Berth yet/],
    [['--runtime', 'kata'], /unknown or invalid runtime name: kata/],
  ] as const) {
    assert.match(await fails(['run', '--rm', ...args, 'busybox', 'true']), message);
  }
  assert.equal((await ok(['ps', '-aq'])).trim(), before, 'nothing was created');
  // The zero values the CLI always sends are no request: a plain run still works.
  assert.equal((await ok(['run', '--rm', '--ipc', 'private', 'busybox', 'echo', 'ok'])).trim(), 'ok');
});
