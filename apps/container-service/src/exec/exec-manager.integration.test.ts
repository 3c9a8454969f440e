import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { extractLayer } from '@berth/archive';
import type { EventInput } from '@berth/events';
import { createLogger } from '@berth/logging';
import { buildBusyboxRootfs, deleteRuncContainers, unmountUnder } from '@berth/testing';
import { ContainerExits } from '../containers/container-exits';
import { ContainerPaths } from '../containers/container-paths';
import type { ContainerRecord } from '../containers/container-record';
import { ContainerStore } from '../containers/container-store';
import { mountOverlay } from '../rootfs/overlay';
import { processAlive } from '@berth/host';
import { createContainer } from '../runtime/conmon';
import { buildOciSpec } from '../runtime/oci-spec';
import { Runc } from '../runtime/runc';
import { ExecProbeRunner } from '../health/exec-probe-runner';
import { AttachedExec, ExecManager } from './exec-manager';

/** Collects an attached exec's output by stream. */
function collector() {
  const out: { 1: Buffer[]; 2: Buffer[] } = { 1: [], 2: [] };
  return {
    onOutput: (stream: 1 | 2, data: Buffer) => out[stream].push(Buffer.from(data)),
    stdout: () => Buffer.concat(out[1]).toString(),
    stderr: () => Buffer.concat(out[2]).toString(),
  };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('exec in a real runc container', () => {
  let root = '';
  let paths: ContainerPaths;
  let store: ContainerStore;
  let exits: ContainerExits;
  let runc: Runc;
  let execs: ExecManager;
  const events: EventInput[] = [];
  const suffix = `${process.pid}${Date.now().toString(36)}`;
  const conmons: number[] = [];

  async function runContainer(name: string, config: Record<string, unknown> = {}): Promise<ContainerRecord> {
    const id = randomBytes(32).toString('hex');
    const lower = path.join(root, 'lower');
    await mountOverlay({ lowerDirs: [lower], upperDir: paths.upper(id), workDir: paths.work(id), target: paths.rootfs(id) });
    const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'FOO=bar'];
    await fs.promises.mkdir(paths.bundle(id), { recursive: true });
    const spec = buildOciSpec({ id, rootfs: paths.rootfs(id), args: ['/bin/sleep', '1000'], env, hostname: id.slice(0, 12), network: 'host', cwd: '/tmp' });
    await fs.promises.writeFile(path.join(paths.bundle(id), 'config.json'), JSON.stringify(spec));
    const created = await createContainer({
      id, bundle: paths.bundle(id), runcRoot: paths.runcRoot, logPath: paths.log(id), exitDir: paths.exitDir,
      socketDir: paths.socketDir, pidFile: paths.pidFile(id), conmonPidFile: paths.conmonPidFile(id),
    });
    conmons.push(created.conmonPid);
    await runc.start(id);
    const record: ContainerRecord = {
      Id: id, Name: `${name}-${suffix}`, Created: new Date().toISOString(), Path: '/bin/sleep', Args: ['1000'], ImageName: 'busybox',
      Image: 'sha256:0', Config: { Hostname: id.slice(0, 12), Env: env, WorkingDir: '/tmp', Labels: { l: 'v' }, ...config },
      HostConfig: {}, NetworkingConfig: {}, Platform: 'linux', State: { Status: 'running', Pid: created.pid },
    };
    assert.equal(store.insert(record).ok, true);
    return record;
  }

  async function run(containerId: string, cmd: string[], extra: Record<string, unknown> = {}, stdin?: string) {
    const id = execs.create(containerId, { Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: stdin !== undefined, ...extra });
    const c = collector();
    const session = await execs.start(id, { detach: false, onOutput: c.onOutput });
    if (stdin !== undefined) {
      session.write(Buffer.from(stdin));
      session.closeStdin();
    }
    const code = await session.done;
    return { id, code, stdout: c.stdout(), stderr: c.stderr() };
  }

  let c1: ContainerRecord;

  before(async () => {
    root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'berth-exec-'));
    await fs.promises.mkdir(path.join(root, 'lower'));
    await extractLayer(Readable.from(await buildBusyboxRootfs()), path.join(root, 'lower'));
    paths = new ContainerPaths(path.join(root, 'data'), path.join(root, 'run'));
    store = new ContainerStore(path.join(root, 'data', 'containers', 'metadata.db'));
    exits = new ContainerExits();
    runc = new Runc(paths.runcRoot);
    execs = new ExecManager(store, paths, exits, { publish: async (e) => events.push(e) }, createLogger('test', 'error'));
    c1 = await runContainer('c1');
  });

  after(async () => {
    if (!root) return;
    try {
      store?.close();
      deleteRuncContainers(root);
      await until(() => conmons.every((p) => !processAlive(p)), 5000).catch(() => undefined);
      unmountUnder(root);
    } finally {
      await fs.promises.rm(root, { recursive: true, force: true });
    }
  });

  test('output by stream, exit code, events, inspect, ExecIDs', async () => {
    const id = execs.create(c1.Id.slice(0, 12), { Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], AttachStdout: true, AttachStderr: true });
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.deepEqual(store.get(c1.Id)!.record.ExecIDs, [id]);
    const before = execs.inspect(id);
    assert.deepEqual(before, {
      ID: id, Running: false, ExitCode: null,
      ProcessConfig: { tty: false, entrypoint: 'sh', arguments: ['-c', 'echo out; echo err >&2; exit 3'], privileged: false },
      OpenStdin: false, OpenStderr: true, OpenStdout: true, CanRemove: false, ContainerID: c1.Id, DetachKeys: '', Pid: 0,
    });
    const c = collector();
    const session = await execs.start(id, { detach: false, onOutput: c.onOutput });
    assert.equal(await session.done, 3);
    assert.equal(c.stdout(), 'out\n');
    assert.equal(c.stderr(), 'err\n');
    const after = execs.inspect(id);
    assert.equal(after.ExitCode, 3);
    assert.equal(after.Running, false);
    assert.ok((after.Pid as number) > 0);
    assert.deepEqual(store.get(c1.Id)!.record.ExecIDs ?? [], [], 'an exited exec leaves ExecIDs');
    const mine = events.filter((e) => e.Actor.Attributes.execID === id);
    assert.deepEqual(mine.map((e) => e.Action), ['exec_create: sh -c echo out; echo err >&2; exit 3', 'exec_start: sh -c echo out; echo err >&2; exit 3', 'exec_die']);
    assert.equal(mine[2].Actor.Attributes.exitCode, '3');
    assert.equal(mine[0].Actor.Attributes.name, c1.Name);
    assert.equal(mine[0].Actor.Attributes.l, 'v');
    assert.equal(mine[0].Actor.ID, c1.Id);

    await assert.rejects(execs.start(id, { detach: false }), { message: `Error: Exec command ${id} has already run` });
  });

  test('environment, working dir and user', async () => {
    const env = await run(c1.Id, ['sh', '-c', 'echo $FOO $NEW $HOSTNAME; pwd; id -u; echo $HOME'], { Env: ['FOO=baz', 'NEW=1'] });
    assert.equal(env.stdout, `baz 1 ${c1.Id.slice(0, 12)}\n/tmp\n0\n/root\n`);
    const wd = await run(c1.Id, ['pwd'], { WorkingDir: '/etc' });
    assert.equal(wd.stdout, '/etc\n');
    const nobody = await run(c1.Id, ['sh', '-c', 'id -u; id -g; grep CapEff /proc/self/status'], { User: 'nobody' });
    assert.match(nobody.stdout, /^65534\n65534\n/);
    assert.throws(() => execs.create(c1.Id, { Cmd: ['true'], User: 'nosuchuser' }), { message: 'unable to find user nosuchuser: no matching entries in passwd file' });
    const priv = await run(c1.Id, ['grep', 'CapEff', '/proc/self/status'], { Privileged: true });
    const plain = await run(c1.Id, ['grep', 'CapEff', '/proc/self/status']);
    assert.match(plain.stdout, /00000000a80425fb/);
    assert.notEqual(priv.stdout, plain.stdout);
  });

  test('stdin flows to the process; closing it ends cat', async () => {
    const r = await run(c1.Id, ['cat'], {}, 'hello\nworld\n');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'hello\nworld\n');
    const big = 'x'.repeat(200_000);
    const r2 = await run(c1.Id, ['wc', '-c'], {}, big);
    assert.equal(r2.stdout.trim(), '200000');
    const none = await run(c1.Id, ['sh', '-c', 'read x; echo "[$x]"']);
    assert.equal(none.stdout, '[]\n', 'without AttachStdin the process reads EOF');
  });

  test('TTY: raw output, TERM, console size, resize', async () => {
    const id = execs.create(c1.Id, { Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, ConsoleSize: [30, 100] });
    const c = collector();
    const session = await execs.start(id, { detach: false, onOutput: c.onOutput });
    session.write(Buffer.from('stty size; echo T=$TERM\n'));
    await until(() => /T=xterm/.test(c.stdout()));
    assert.match(c.stdout(), /30 100\r\n/);
    await execs.resize(id, 40, 120);
    session.write(Buffer.from('stty size; tty\n'));
    await until(() => /40 120\r\n/.test(c.stdout()));
    assert.match(c.stdout(), /\/dev\/pts\/\d+/);
    session.write(Buffer.from('exit 4\n'));
    assert.equal(await session.done, 4);
    assert.equal(c.stderr(), '', 'a TTY has one stream');
    await assert.rejects(execs.resize(id, 10, 10), { message: 'no such exec' });
  });

  test('TTY: the detach keys end the session and the process runs on', async () => {
    const id = execs.create(c1.Id, { Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true, DetachKeys: 'ctrl-x' });
    assert.equal(execs.inspect(id).DetachKeys, Buffer.from([24]).toString('base64'));
    const c = collector();
    const session: AttachedExec = await execs.start(id, { detach: false, onOutput: c.onOutput });
    session.write(Buffer.from([24]));
    assert.equal(await session.done, undefined);
    assert.equal(execs.inspect(id).Running, true);
    assert.ok(events.some((e) => e.Action === 'exec_detach' && e.Actor.Attributes.execID === id));
    process.kill(execs.inspect(id).Pid as number, 'SIGKILL');
    await until(() => execs.inspect(id).Running === false);
    assert.equal(execs.inspect(id).ExitCode, 137);
  });

  test('detached start returns once running; exit recorded later', async () => {
    const id = execs.create(c1.Id, { Cmd: ['sh', '-c', 'sleep 0.3; exit 7'] });
    await execs.start(id, { detach: true });
    assert.equal(execs.inspect(id).Running, true);
    assert.deepEqual(store.get(c1.Id)!.record.ExecIDs, [id]);
    await assert.rejects(execs.start(id, { detach: true }), { message: `Error: Exec command ${id} is already running` });
    await until(() => execs.inspect(id).ExitCode === 7);
    assert.ok(events.some((e) => e.Action === 'exec_die' && e.Actor.Attributes.execID === id && e.Actor.Attributes.exitCode === '7'));
  });

  test('a command that cannot run: runc\'s reason and 126/127', async () => {
    const id = execs.create(c1.Id, { Cmd: ['nosuchcommand'], AttachStdout: true });
    await assert.rejects(execs.start(id, { detach: false }), (err: Error) => {
      assert.match(err.message, /^OCI runtime exec failed: exec failed: .*"nosuchcommand": executable file not found in \$PATH: unknown$/);
      return true;
    });
    assert.equal(execs.inspect(id).ExitCode, 127);
    assert.equal(execs.inspect(id).Running, false);
    await assert.rejects(execs.resize(id, 10, 10), { message: 'exec process is not started' });
    const dir = execs.create(c1.Id, { Cmd: ['/etc'] });
    await assert.rejects(execs.start(dir, { detach: true }), /permission denied/);
    assert.equal(execs.inspect(dir).ExitCode, 126);
    assert.equal(fs.readdirSync(execs.execRoot).length, 0, 'exec dirs are cleaned up');
    assert.deepEqual(fs.readdirSync(paths.socketDir).filter((n) => n !== c1.Id), [], 'socket links are cleaned up');
  });

  test('errors of create and inspect as dockerd words them', async () => {
    assert.throws(() => execs.create(c1.Id, { Cmd: [] }), { message: 'No exec command specified' });
    assert.throws(() => execs.create('nosuch', { Cmd: ['true'] }), { message: 'No such container: nosuch' });
    assert.throws(() => execs.inspect('nosuch'), { message: 'No such exec instance: nosuch' });
    store.update(c1.Id, (r) => ({ ...r, State: { ...r.State, Status: 'paused' } }));
    assert.throws(() => execs.create(c1.Name, { Cmd: ['true'] }), { message: `Container ${c1.Name} is paused, unpause the container before exec` });
    store.update(c1.Id, (r) => ({ ...r, State: { ...r.State, Status: 'running' } }));
  });

  test('health probes: output, exit code, timeout kills the probe', async () => {
    const probes = new ExecProbeRunner(execs);
    const ok = await probes.runProbe(c1.Id, ['sh', '-c', 'echo fine; exit 0'], 5000);
    assert.deepEqual(ok, { exitCode: 0, output: 'fine\n' });
    const big = await probes.runProbe(c1.Id, ['sh', '-c', 'head -c 5000 /dev/zero | tr "\\0" a'], 5000);
    assert.equal(big.output, 'a'.repeat(4096) + '...');
    const started = Date.now();
    const slow = await probes.runProbe(c1.Id, ['sh', '-c', 'echo partial; sleep 30'], 500);
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(slow, { exitCode: -1, output: 'Health check exceeded timeout (500ms): partial\n' });
    const missing = await probes.runProbe(c1.Id, ['nosuchprobe'], 5000);
    assert.equal(missing.exitCode, -1);
    assert.match(missing.output, /^OCI runtime exec failed/);
  });

  test('at start-up, dirs of execs whose conmon is gone are swept', () => {
    const dead = path.join(execs.execRoot, 'dead');
    const live = path.join(execs.execRoot, 'live');
    for (const [dir, pid] of [[dead, 999999999], [live, process.pid]] as const) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'conmon.pid'), String(pid));
    }
    new ExecManager(store, paths, exits, { publish: async () => undefined }, createLogger('test', 'error'));
    assert.equal(fs.existsSync(dead), false);
    assert.equal(fs.existsSync(live), true);
    fs.rmSync(live, { recursive: true });
  });

  test('a stopped container: its execs are forgotten, new ones refused', async () => {
    const c2 = await runContainer('c2');
    const pending = execs.create(c2.Id, { Cmd: ['true'] });
    const running = execs.create(c2.Id, { Cmd: ['sleep', '100'] });
    await execs.start(running, { detach: true });
    assert.equal(store.get(c2.Id)!.record.ExecIDs!.length, 2);
    await runc.kill(c2.Id, 'KILL');
    await until(() => execs.inspect(running).Running === false);
    store.update(c2.Id, (r) => ({ ...r, State: { ...r.State, Status: 'exited' } }));
    exits.notify(c2.Id);
    await until(() => (store.get(c2.Id)!.record.ExecIDs ?? []).length === 0);
    assert.throws(() => execs.inspect(pending), { message: `No such exec instance: ${pending}` });
    assert.equal(execs.inspect(running).ExitCode, 137);
    assert.throws(() => execs.create(c2.Id, { Cmd: ['true'] }), { message: `Container ${c2.Id} is not running` });
    assert.throws(() => execs.checkStartable(running), { message: `Container ${c2.Id} is not running` });
  });
});
