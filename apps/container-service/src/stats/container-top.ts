import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CommandError, runCommand } from '@berth/host';
import { RpcError } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import { CgroupDirs, locateCgroups } from './cgroup-locator';
import type { ContainerLookup } from './container-stats';
import { TopResult, parsePsOutput, psPidsArg, validatePsArgs } from './ps-output';

/**
 * Every process in a cgroup and its descendants (runc's GetAllPids: the
 * cgroup.procs files of the tree). Empty when the cgroup is gone.
 */
export async function cgroupPids(dir: string): Promise<number[]> {
  let text: string;
  let entries: import('node:fs').Dirent[];
  try {
    [text, entries] = await Promise.all([fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8'), fs.readdir(dir, { withFileTypes: true })]);
  } catch {
    return [];
  }
  const own = text.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  const children = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => cgroupPids(path.join(dir, e.name))));
  return [...own, ...children.flat()];
}

interface PsRun { ok: true; stdout: string }
interface PsFailure { ok: false; message: string }

async function runPs(command: string, args: string[]): Promise<PsRun | PsFailure> {
  try {
    return { ok: true, stdout: (await runCommand(command, args, { maxBuffer: 256 * 1024 * 1024 })).stdout };
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    // dockerd: the first line of ps's stderr says why it failed; else Go's exec error.
    const first = err.stderr.split('\n')[0];
    let message: string;
    if (first !== '') message = first;
    else if (err.errno === 'ENOENT') message = `exec: "${command}": executable file not found in $PATH`;
    else message = err.detail;
    return { ok: false, message };
  }
}

/** `docker top`: ps on the host, its rows narrowed to the container's processes. */
export class ContainerTop {
  /** `listed` runs after each successful listing: dockerd logs a `top` container event then. */
  constructor(
    private readonly containers: ContainerLookup,
    private readonly cgroupFallback: (id: string) => CgroupDirs,
    private readonly listed: (record: ContainerRecord) => void = () => undefined,
    private readonly psCommand = 'ps',
  ) {}

  async top(ref: string, psArgs: string): Promise<TopResult> {
    const args = psArgs === '' ? '-ef' : psArgs;
    validatePsArgs(args);
    const { record } = this.containers.resolve(ref);
    this.checkRunning(record);
    const pids = await this.pids(record);
    const argv = args.split(' ');
    let res = await runPs(this.psCommand, [...argv, psPidsArg(pids)]);
    // Some ps options (f, for one) refuse -q: then all processes, filtered below.
    if (!res.ok) res = await runPs(this.psCommand, argv);
    if (!res.ok) throw RpcError.internal(`ps: ${res.message}`);
    const result = parsePsOutput(res.stdout, pids);
    this.listed(record);
    return result;
  }

  private checkRunning(record: ContainerRecord): void {
    const status = record.State.Status;
    if (status === 'restarting') throw RpcError.conflict(`Container ${record.Id} is restarting, wait until the container is running`);
    if ((status !== 'running' && status !== 'paused') || !record.State.Pid) throw RpcError.conflict(`Container ${record.Id} is not running`);
  }

  /** The devices controller, which runc always joins, holds every process of the container (exec'd ones too). */
  private async pids(record: ContainerRecord): Promise<number[]> {
    const dirs = await locateCgroups(record.State.Pid, this.cgroupFallback(record.Id));
    for (const controller of ['devices', 'memory', 'pids']) {
      const pids = await cgroupPids(dirs(controller));
      if (pids.length > 0) return pids;
    }
    return [];
  }
}
