import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Berth, busyboxRootfsEntries, dockerFails, dockerOk, HostWatch, startBerthWithBusybox, tarFile, TarEntry, watchHost } from '../index';

/*
 * Issue 9: a hostile program inside a container tries the calls Docker's
 * default seccomp profile refuses (fixtures/seccomp-probe.c, built static at
 * test time and imported with busybox as `probe:latest`), and a setuid-root
 * copy of it shows whether no-new-privileges holds in the container, its
 * execs and its health checks.
 */

let berth: Berth;
let watch: HostWatch;
let work: string;
const PROBE_SOURCE = path.resolve(__dirname, '../../src/fixtures/seccomp-probe.c');

const ok = (args: string[]): Promise<string> => dockerOk(berth, args);
const fails = (args: string[]): Promise<string> => dockerFails(berth, args);

/** `name=result` lines of the probe as a map. */
function results(out: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const line of out.trim().split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) map[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return map;
}

/** The shared objects a dynamic program loads, as ldd lists them (absolute paths only). */
function sharedObjects(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]);
}

async function probeImage(): Promise<void> {
  execFileSync('gcc', ['-static', '-O1', '-o', path.join(work, 'probe'), PROBE_SOURCE]);
  execFileSync('gcc', ['-O1', '-o', path.join(work, 'probe-dyn'), PROBE_SOURCE]);
  const entries: TarEntry[] = busyboxRootfsEntries();
  const probe = fs.readFileSync(path.join(work, 'probe'));
  entries.push({ name: 'probe', type: 'file', mode: 0o755, content: probe });
  entries.push({ name: 'suid-probe', type: 'file', mode: 0o4755, uid: 0, gid: 0, content: probe });
  entries.push({ name: 'probe-dyn', type: 'file', mode: 0o755, content: fs.readFileSync(path.join(work, 'probe-dyn')) });
  const dirs = new Set<string>();
  for (const so of sharedObjects(path.join(work, 'probe-dyn'))) {
    const rel = so.replace(/^\/+/, '');
    for (let d = path.dirname(rel); d !== '.'; d = path.dirname(d)) dirs.add(d);
    entries.push({ name: rel, type: 'file', mode: 0o755, content: fs.readFileSync(fs.realpathSync(so)) });
  }
  const have = new Set(entries.filter((e) => e.type === 'directory').map((e) => e.name.replace(/\/$/, '')));
  for (const d of dirs) if (!have.has(d)) entries.push({ name: d, type: 'directory', mode: 0o755 });
  const file = path.join(work, 'probe.tar');
  await tarFile(file, entries);
  await ok(['import', '-c', 'CMD ["/probe"]', file, 'probe:latest']);
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-seccomp-test-'));
  berth = await startBerthWithBusybox();
  watch = watchHost(berth);
  await probeImage();
});

after(async () => {
  await berth?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('seccomp: Docker\'s default profile', () => {
  test('the hostile calls are refused by default, as dockerd refuses them', async () => {
    const r = results(await ok(['run', '--rm', 'probe', '/probe']));
    assert.equal(r.clone_newuser_newnet, 'EPERM', 'clone with namespace flags is masked without CAP_SYS_ADMIN');
    assert.equal(r.unshare_newuser_newnet, 'EPERM');
    assert.equal(r.clone3, 'ENOSYS', 'clone3 is "not implemented" so libc falls back to clone');
    assert.equal(r.io_uring_setup, 'EPERM', 'io_uring is outside the allow list');
    assert.equal(r.keyctl, 'EPERM');
    assert.equal(r.bpf, 'EPERM', 'the filter answers before the kernel sees the unknown command');
    assert.equal(r.personality_read_implies_exec, 'EPERM', 'only the allowed personas pass');
    assert.equal(r.socket_vsock, 'EPERM', 'AF_VSOCK is refused');
    // Docker's profile allows ptrace on kernels >= 4.8 (the kernel's own checks decide): inside
    // the container a sibling of the same user may be traced, exactly as under dockerd.
    assert.equal(r.ptrace_sibling, 'ok');
  });

  test('--cap-add SYS_ADMIN opens the namespace clone, clone3 and bpf, not io_uring or keyctl', async () => {
    const r = results(await ok(['run', '--rm', '--cap-add', 'SYS_ADMIN', 'probe', '/probe']));
    assert.equal(r.clone_newuser_newnet, 'ok');
    assert.equal(r.unshare_newuser_newnet, 'ok');
    assert.equal(r.clone3, 'ok');
    assert.equal(r.bpf, 'ok');
    assert.equal(r.io_uring_setup, 'EPERM');
    assert.equal(r.keyctl, 'EPERM');
    assert.equal(r.personality_read_implies_exec, 'EPERM');
    assert.equal(r.socket_vsock, 'EPERM');
  });

  test('seccomp=unconfined and --privileged run without a filter', async () => {
    for (const flags of [['--security-opt', 'seccomp=unconfined'], ['--security-opt', 'seccomp:unconfined'], ['--privileged']]) {
      const r = results(await ok(['run', '--rm', ...flags, 'probe', '/probe']));
      for (const name of ['clone_newuser_newnet', 'unshare_newuser_newnet', 'clone3', 'io_uring_setup', 'keyctl', 'bpf', 'personality_read_implies_exec', 'socket_vsock']) {
        assert.equal(r[name], 'ok', `${flags.join(' ')}: ${name}`);
      }
      assert.match(await ok(['run', '--rm', ...flags, 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+0/);
    }
    assert.match(await ok(['run', '--rm', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+2/);
    assert.match(await ok(['run', '--rm', '--security-opt', 'seccomp=builtin', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+2/);
  });

  test('normal workloads still run under the profile', async () => {
    assert.equal(await ok(['run', '--rm', 'busybox', 'echo', 'hi']), 'hi\n');
    assert.equal(await ok(['run', '--rm', 'busybox', 'sh', '-c', 'mkdir /x && echo a > /x/f && cat /x/f && ls / | wc -l >/dev/null && sleep 0.1 && echo done']), 'a\ndone\n');
    assert.equal(await ok(['run', '--rm', 'probe', '/probe-dyn', 'euid']), 'euid=0\n', 'a dynamically linked program');
    assert.match(await ok(['run', '--rm', 'busybox', 'ping', '-c', '1', '-W', '2', '127.0.0.1']), /1 packets received/);
  });

  test('docker info reports the builtin profile', async () => {
    const info = JSON.parse(await ok(['info', '--format', '{{json .SecurityOptions}}']));
    assert.ok(info.includes('name=seccomp,profile=builtin'), JSON.stringify(info));
  });
});

describe('seccomp: custom profiles', () => {
  test('a profile file given to the CLI is applied: mkdir refused with EPERM', async () => {
    const file = path.join(work, 'no-mkdir.json');
    fs.writeFileSync(file, JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }));
    const res = await berth.docker(['run', '--rm', '--security-opt', `seccomp=${file}`, 'busybox', 'mkdir', '/x']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /Operation not permitted/);
    assert.equal(await ok(['run', '--rm', '--security-opt', `seccomp=${file}`, 'busybox', 'echo', 'hi']), 'hi\n');
    const privileged = await berth.docker(['run', '--rm', '--privileged', '--security-opt', `seccomp=${file}`, 'busybox', 'mkdir', '/x']);
    assert.match(privileged.stderr, /Operation not permitted/, 'a named profile applies to a privileged container too (dockerd)');
    assert.match(await ok(['run', '--rm', '--privileged', '--security-opt', 'seccomp=builtin', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']), /Seccomp:\s+2/);
    // the allow-all default lets the namespace clone through: the profile replaced Docker's
    const r = results(await ok(['run', '--rm', '--security-opt', `seccomp=${file}`, 'probe', '/probe']));
    assert.equal(r.io_uring_setup, 'ok');
    const [c] = JSON.parse(await ok(['inspect', (await ok(['create', '--security-opt', `seccomp=${file}`, 'busybox', 'true'])).trim()]));
    assert.equal(c.HostConfig.SecurityOpt.length, 1);
    assert.match(c.HostConfig.SecurityOpt[0], /^seccomp=\{"defaultAction":"SCMP_ACT_ALLOW"/);
    await ok(['rm', c.Id]);
  });

  test('a profile that is not JSON, or names both architectures and archMap, is refused at start', async () => {
    for (const [profile, message] of [
      ['{not json', /Decoding seccomp profile failed/],
      [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] }),
        /both 'architectures' and 'archMap' are specified in the seccomp profile/],
    ] as const) {
      const create = await berth.request('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { SecurityOpt: [`seccomp=${profile}`] } });
      assert.equal(create.status, 201, create.body);
      const id = create.json<{ Id: string }>().Id;
      const start = await berth.request('POST', `/containers/${id}/start`);
      assert.equal(start.status, 400, start.body);
      assert.match(start.json<{ message: string }>().message, message);
      await ok(['rm', '-f', id]);
    }
  });
});

describe('security-opt parsing', () => {
  test('unknown options and bad values are refused with dockerd\'s words, never ignored', async () => {
    assert.match(await fails(['run', '--rm', '--security-opt', 'foo=bar', 'busybox', 'true']), /invalid --security-opt 2: "foo=bar"/);
    assert.match(await fails(['run', '--rm', '--security-opt', 'no-new-privileges=maybe', 'busybox', 'true']), /invalid --security-opt 2: "no-new-privileges=maybe"/);
    const bare = await berth.request('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { SecurityOpt: ['unknown'] } });
    assert.equal(bare.status, 400, bare.body);
    assert.equal(bare.json<{ message: string }>().message, 'invalid --security-opt 1: "unknown"');
    // Berth has no AppArmor or SELinux: a profile or label asked for is refused, not silently dropped
    assert.match(await fails(['run', '--rm', '--security-opt', 'apparmor=my-profile', 'busybox', 'true']), /invalid --security-opt 2: "apparmor=my-profile"/);
    assert.match(await fails(['run', '--rm', '--security-opt', 'label=type:svirt_apache_t', 'busybox', 'true']), /invalid --security-opt 2: "label=type:svirt_apache_t"/);
    // ...while asking for none of them is fine
    await ok(['run', '--rm', '--security-opt', 'apparmor=unconfined', '--security-opt', 'label=disable', 'busybox', 'true']);
    assert.equal((await ok(['ps', '-aq'])).trim(), '', 'no container was left behind by a refused create');
  });

  test('writable-cgroups makes the cgroup mount read-write, as dockerd does', async () => {
    // cgroup v1 here: runc's tmpfs at /sys/fs/cgroup, one mount per controller below it
    const cpuMount = (flags: string[]) => ok(['run', '--rm', ...flags, 'busybox', 'sh', '-c', 'grep -E " /sys/fs/cgroup(/cpu)? cgroup2? " /proc/self/mounts']);
    assert.match(await cpuMount([]), / cgroup2? ro,/);
    assert.match(await cpuMount(['--security-opt', 'writable-cgroups=true']), / cgroup2? rw,/);
    assert.match(await cpuMount(['--privileged']), / cgroup2? rw,/);
    assert.match(await cpuMount(['--privileged', '--security-opt', 'writable-cgroups=false']), / cgroup2? ro,/);
  });
});

describe('no-new-privileges', () => {
  test('a setuid-root binary gains root without it and not with any spelling of it', async () => {
    assert.equal(await ok(['run', '--rm', '--user', '1000', 'probe', '/suid-probe', 'euid']), 'euid=0\n', 'setuid works without no-new-privileges');
    assert.equal(await ok(['run', '--rm', '--user', '1000', '--security-opt', 'no-new-privileges=false', 'probe', '/suid-probe', 'euid']), 'euid=0\n');
    for (const spelling of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true', 'no-new-privileges=1']) {
      assert.equal(await ok(['run', '--rm', '--user', '1000', '--security-opt', spelling, 'probe', '/suid-probe', 'euid']), 'euid=1000\n', spelling);
      assert.match(await ok(['run', '--rm', '--security-opt', spelling, 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status']), /NoNewPrivs:\s+1/, spelling);
    }
    assert.match(await ok(['run', '--rm', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status']), /NoNewPrivs:\s+0/);
  });

  test('its execs and health checks run with NoNewPrivs too; inspect keeps SecurityOpt as given', async () => {
    await ok(['run', '-d', '--name', 'nnp', '--security-opt', 'no-new-privileges:true',
      '--health-cmd', 'grep NoNewPrivs /proc/self/status', '--health-interval', '200ms', 'probe', 'sleep', '1000']);
    try {
      assert.match(await ok(['exec', 'nnp', 'grep', 'NoNewPrivs', '/proc/self/status']), /NoNewPrivs:\s+1/);
      assert.equal(await ok(['exec', '--user', '1000', 'nnp', '/suid-probe', 'euid']), 'euid=1000\n');
      assert.equal(await ok(['exec', '--privileged', '--user', '1000', 'nnp', '/suid-probe', 'euid']), 'euid=1000\n');
      const deadline = Date.now() + 15_000;
      let log: { Output: string }[] = [];
      while (log.length === 0 && Date.now() < deadline) {
        log = (JSON.parse(await ok(['inspect', '-f', '{{json .State.Health}}', 'nnp'])) ?? { Log: [] }).Log;
        if (log.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(log.length > 0, 'a health check ran');
      assert.match(log[0].Output, /NoNewPrivs:\s+1/);
      const [c] = JSON.parse(await ok(['inspect', 'nnp']));
      assert.deepEqual(c.HostConfig.SecurityOpt, ['no-new-privileges:true']);
    } finally {
      await ok(['rm', '-f', 'nnp']);
    }
    await ok(['run', '-d', '--name', 'plain', 'probe', 'sleep', '1000']);
    try {
      assert.equal(await ok(['exec', '--user', '1000', 'plain', '/suid-probe', 'euid']), 'euid=0\n', 'an exec without it may gain privileges, as under dockerd');
    } finally {
      await ok(['rm', '-f', 'plain']);
    }
  });
});

describe('after the attacks', () => {
  test('nothing appeared on the host and no service grew', async () => {
    await ok(['rmi', 'probe:latest']);
    const c = await watch.settledChanges();
    assert.deepEqual(c.newEntries, []);
    assert.deepEqual(c.newMounts, []);
    for (const [name, growth] of Object.entries(c.rssGrowth)) assert.ok((growth ?? 0) <= 50 * 1024 * 1024, `${name} grew by ${growth} bytes`);
  });
});
