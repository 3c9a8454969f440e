import { ChildProcess, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Controllers a sandbox creates its cgroup in (cpuset left out: it needs cpus and mems set first). */
const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'devices'];

/**
 * Test support: a real cgroup v1 group per controller under
 * /sys/fs/cgroup/<controller>/berth-test-<rand>, with one process moved
 * in, standing for a container. `remove()` kills it and removes the
 * groups.
 */
export class CgroupSandbox {
  readonly name = `berth-test-${crypto.randomBytes(4).toString('hex')}`;
  readonly dirs: string[] = [];
  child?: ChildProcess;

  dir(controller: string): string {
    return path.join('/sys/fs/cgroup', controller, this.name);
  }

  /** Starts `argv` and moves it into the groups before it gets to run its command (sh waits on a read). */
  async start(argv: string[], limits: { memory?: number; pids?: number } = {}, comm = path.basename(argv[0])): Promise<number> {
    for (const c of CONTROLLERS) {
      const d = this.dir(c);
      // joint mounts give several names to one hierarchy: create once
      if (!fs.existsSync(d)) fs.mkdirSync(d);
      this.dirs.push(d);
    }
    if (limits.memory) fs.writeFileSync(path.join(this.dir('memory'), 'memory.limit_in_bytes'), String(limits.memory));
    if (limits.pids) fs.writeFileSync(path.join(this.dir('pids'), 'pids.max'), String(limits.pids));
    const child = spawn('sh', ['-c', 'read go; exec "$@"', 'sh', ...argv], { stdio: ['pipe', 'ignore', 'inherit'] });
    this.child = child;
    const pid = child.pid!;
    for (const d of this.dirs) fs.writeFileSync(path.join(d, 'cgroup.procs'), String(pid));
    child.stdin!.write('go\n');
    child.stdin!.end();
    // wait until the exec happened so /proc/<pid> describes the command
    for (let i = 0; i < 200; i++) {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm.slice(0, 15)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    return pid;
  }

  async remove(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    for (const d of this.dirs.reverse()) {
      for (let i = 0; i < 50; i++) {
        try {
          if (fs.existsSync(d)) fs.rmdirSync(d);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  }
}
