import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@berth/storage';
import type { ContainerPaths } from '../containers/container-paths';
import { ContainerRuntime, RuntimeCreateError, RuntimeCreateOptions } from '../lifecycle/container-runtime';
import { processAlive, readPidFile } from '@berth/host';
import { ConmonError, createContainer, readExitCode, waitForExit } from './conmon';
import { Runc } from './runc';

/** The lifecycle's runtime in Berth: runc under one conmon per container, files where ContainerPaths says. */
export class ConmonRuntime implements ContainerRuntime {
  private readonly runc: Runc;

  constructor(private readonly paths: ContainerPaths) {
    this.runc = new Runc(paths.runcRoot);
  }

  async create(o: RuntimeCreateOptions): Promise<{ pid: number }> {
    try {
      const created = await createContainer({
        id: o.id,
        bundle: o.bundle,
        runcRoot: this.paths.runcRoot,
        logPath: this.paths.log(o.id),
        exitDir: this.paths.exitDir,
        socketDir: this.paths.socketDir,
        pidFile: this.paths.pidFile(o.id),
        conmonPidFile: this.paths.conmonPidFile(o.id),
        terminal: o.terminal,
        stdin: o.stdin,
        leaveStdinOpen: o.leaveStdinOpen,
      });
      return { pid: created.pid };
    } catch (err) {
      // runc's own reason (in conmon's output) is what dockerd's wording is built from
      if (err instanceof ConmonError) throw new RuntimeCreateError(err.output || err.message);
      throw err;
    }
  }

  start(id: string, pid: number): Promise<void> {
    return this.runc.startViaFifo(id, pid);
  }

  kill(id: string, signal: number, all = false): Promise<void> {
    return this.runc.kill(id, signal, all);
  }

  pause(id: string): Promise<void> {
    return this.runc.pause(id);
  }

  resume(id: string): Promise<void> {
    return this.runc.resume(id);
  }

  async update(id: string, resources: object): Promise<void> {
    // runc takes the resources from a file only
    const file = path.join(this.paths.bundle(id), 'update.json');
    writeFileAtomic(file, JSON.stringify(resources));
    await this.runc.update(id, file);
  }

  async delete(id: string): Promise<void> {
    try {
      await this.runc.delete(id, true);
    } finally {
      for (const f of [this.paths.pidFile(id), this.paths.conmonPidFile(id)]) fs.rmSync(f, { force: true });
    }
  }

  /** Through conmon's control fifo (`1 <height> <width>`: a resize message). */
  resize(id: string, height: number, width: number): void {
    const ctl = path.join(this.paths.bundle(id), 'ctl');
    let fd: number | undefined;
    try {
      fd = fs.openSync(ctl, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      fs.writeSync(fd, `1 ${height} ${width}\n`);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  waitForExit(id: string): Promise<number> {
    return waitForExit(this.paths.exitDir, id);
  }

  exitCode(id: string): Promise<number | undefined> {
    return readExitCode(this.paths.exitDir, id);
  }

  clearExit(id: string): void {
    fs.rmSync(this.paths.exitFile(id), { force: true });
  }

  async monitorAlive(id: string): Promise<boolean> {
    const pid = await readPidFile(this.paths.conmonPidFile(id));
    return pid !== undefined && processAlive(pid);
  }

  oomKilled(id: string): boolean {
    try {
      const text = fs.readFileSync(path.join(this.paths.cgroup(id, 'memory'), 'memory.oom_control'), 'utf8');
      const m = /oom_kill (\d+)/.exec(text);
      return m !== null && Number(m[1]) > 0;
    } catch {
      return false;
    }
  }
}
