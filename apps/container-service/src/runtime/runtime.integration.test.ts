import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { extractLayer } from '@berth/archive';
import { buildBusyboxRootfs, deleteRuncContainers, unmountUnder } from '@berth/testing';
import { isMountPoint, processAlive as alive } from '@berth/host';
import { mountOverlay, unmountOverlay } from '../rootfs/overlay';
import { createContainer, readExitCode, waitForExit } from './conmon';
import { buildOciSpec } from './oci-spec';
import { Runc } from './runc';


/** Live conmon processes whose command line mentions `root`. */
function conmonsUnder(root: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0]) === 'conmon' && argv.some((a) => a.includes(root)) && alive(Number(name))) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('runtime: overlay + OCI spec + conmon + runc', () => {
  let root = '';
  let lower: string;
  let runc: Runc;
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const created: { id: string; merged: string; conmonPid?: number }[] = [];

  before(async () => {
    root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'berth-rt-'));
    lower = path.join(root, 'layers', 'busybox');
    await fs.promises.mkdir(lower, { recursive: true });
    await extractLayer(Readable.from(await buildBusyboxRootfs()), lower);
    runc = new Runc(path.join(root, 'run', 'runc'));
  });

  after(async () => {
    if (!root) return;
    try {
      for (const c of created) {
        await runc.delete(c.id, true).catch(() => undefined);
        if (c.conmonPid !== undefined && alive(c.conmonPid)) {
          // conmon ends by itself once its container is gone; this is for a test that failed half-way
          if (!(await eventually(() => !alive(c.conmonPid!), 5000))) process.kill(c.conmonPid, 'SIGKILL');
        }
        await unmountOverlay(c.merged);
      }
      // a net for anything created before a test recorded it
      deleteRuncContainers(root);
      unmountUnder(root);
      assert.deepEqual(await eventually(() => conmonsUnder(root).length === 0, 5000) ? [] : conmonsUnder(root), []);
      for (const c of created) assert.equal(isMountPoint(c.merged), false);
    } finally {
      await fs.promises.rm(root, { recursive: true, force: true });
    }
  });

  async function create(name: string, args: string[], extra: Partial<Parameters<typeof buildOciSpec>[0]> = {}) {
    const id = `berth-test-${name}-${suffix}`;
    const dir = path.join(root, 'containers', id);
    const merged = path.join(dir, 'merged');
    const record: { id: string; merged: string; conmonPid?: number } = { id, merged };
    created.push(record);
    await mountOverlay({ lowerDirs: [lower], upperDir: path.join(dir, 'upper'), workDir: path.join(dir, 'work'), target: merged });
    assert.equal(isMountPoint(merged), true);

    const bundle = path.join(dir, 'bundle');
    await fs.promises.mkdir(bundle, { recursive: true });
    const spec = buildOciSpec({ id, rootfs: merged, args, network: 'host', hostname: name, ...extra });
    await fs.promises.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2));

    const run = path.join(root, 'run');
    const exitDir = path.join(run, 'exits');
    const logPath = path.join(dir, 'container.log');
    const result = await createContainer({
      id,
      bundle,
      runcRoot: runc.root,
      logPath,
      exitDir,
      socketDir: path.join(run, 's'),
      pidFile: path.join(dir, 'init.pid'),
      conmonPidFile: path.join(dir, 'conmon.pid'),
      terminal: false,
      stdin: false,
    });
    record.conmonPid = result.conmonPid;
    return { id, bundle, exitDir, logPath, ...result };
  }

  test('runs a command, records its exit code and logs both streams', async () => {
    const c = await create('echo', ['/bin/sh', '-c', 'echo hello; echo oops >&2; exit 3']);
    assert.ok(c.pid > 0 && c.conmonPid > 0);
    assert.equal((await runc.state(c.id)).status, 'created');
    assert.equal(await readExitCode(c.exitDir, c.id), undefined);
    // conmon's attach socket, reached through the short socket dir (conmon removes it on exit)
    assert.ok(fs.existsSync(path.join(root, 'run', 's', c.id, 'attach')));

    await runc.start(c.id);
    const code = await waitForExit(c.exitDir, c.id, AbortSignal.timeout(20000));
    assert.equal(code, 3);
    assert.equal(await readExitCode(c.exitDir, c.id), 3);

    // conmon flushes the log before it writes the exit file
    const log = await fs.promises.readFile(c.logPath, 'utf8');
    assert.match(log, /^\S+ stdout F hello$/m);
    assert.match(log, /^\S+ stderr F oops$/m);
    assert.equal((await runc.state(c.id)).status, 'stopped');
  });

  test('SIGKILL through runc gives exit code 137', async () => {
    const c = await create('sleep', ['/bin/sleep', '30']);
    await runc.start(c.id);
    assert.equal((await runc.state(c.id)).status, 'running');
    assert.ok((await runc.list()).some((s) => s.id === c.id));

    await runc.kill(c.id, 'KILL');
    const code = await waitForExit(c.exitDir, c.id, AbortSignal.timeout(20000));
    assert.equal(code, 137);
    await runc.delete(c.id);
    assert.equal(await runc.tryState(c.id), undefined);
    assert.ok(await eventually(() => !alive(c.conmonPid), 5000), 'conmon exits after its container');
  });

  test('Docker defaults hold inside: private netns, sysctls, rlimits, caps, cgroup limits', async () => {
    const script = [
      'cat /proc/sys/net/ipv4/ip_unprivileged_port_start',
      'ulimit -n',
      'hostname',
      'echo $(ls /sys/class/net)',
      'grep CapEff /proc/self/status',
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
      'cat /sys/fs/cgroup/pids/pids.max',
      'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us',
      'echo x > /proc/sysrq-trigger 2>/dev/null && echo rw || echo ro',
      'df -k /dev/shm | tail -1',
    ].join('; ');
    const hard = Number(/^Max open files\s+\S+\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1]);
    const c = await create('defaults', ['/bin/sh', '-c', script], {
      network: undefined,
      resources: { memory: 64 * 1024 * 1024, pidsLimit: 50, nanoCpus: 5e8 },
    });
    await runc.start(c.id);
    assert.equal(await waitForExit(c.exitDir, c.id, AbortSignal.timeout(20000)), 0);
    const out = (await fs.promises.readFile(c.logPath, 'utf8'))
      .split('\n')
      .filter((l) => / stdout F /.test(l))
      .map((l) => l.slice(l.indexOf(' stdout F ') + 10));
    assert.equal(out[0], '0', out.join('\n'));
    assert.equal(Number(out[1]), Math.min(1048576, Number.isFinite(hard) ? hard : 1048576));
    assert.equal(out[2], 'defaults');
    assert.equal(out[3].trim(), 'lo');
    // the 14 default capabilities: bits 0,1,3,4,5,6,7,8,10,13,18,27,29,31
    assert.equal(out[4].split(/\s+/)[1], '00000000a80425fb');
    assert.equal(out[5], String(64 * 1024 * 1024));
    assert.equal(out[6], '50');
    assert.equal(out[7], '50000');
    assert.equal(out[8], 'ro');
    assert.equal(out[9].split(/\s+/)[1], '65536');
  });

  test('a failed create reports runc\'s reason and leaves nothing behind', async () => {
    await assert.rejects(create('missing', ['/no/such/binary']), /no such file or directory/);
    const id = created.at(-1)!.id;
    assert.equal(await runc.tryState(id), undefined);
    const mine = () => conmonsUnder(root).filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id);
      } catch {
        return false;
      }
    });
    assert.ok(await eventually(() => mine().length === 0, 5000));
  });

  test('runc errors carry its message', async () => {
    await assert.rejects(runc.state('no-such-container'), (err: Error & { isNotFound?: boolean; stderr?: string }) => {
      assert.equal(err.isNotFound, true);
      assert.match(err.message, /does not exist/);
      return true;
    });
  });
});
