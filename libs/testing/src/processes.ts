import * as fs from 'node:fs';

import { processAlive as isRunning } from '@berth/host';

export { processState, type ProcessState } from '@berth/host';
/** Alive and not a zombie: a zombie has exited, only its parent has not collected it yet. */
export { isRunning };

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** This process and its ancestors: never candidates for a sweep. */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  let pid: number | undefined = process.pid;
  while (pid !== undefined && pid > 1 && !out.has(pid)) {
    out.add(pid);
    pid = parentOf(pid);
  }
  return out;
}

/** Resolves true once `pid` has exited (or is a zombie), false on timeout. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !isRunning(pid);
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when all are gone. */
export async function terminate(pids: number[], graceMs: number): Promise<void> {
  const live = pids.filter(isRunning);
  for (const pid of live) signal(pid, 'SIGTERM');
  const done = await Promise.all(live.map((pid) => waitForExit(pid, graceMs)));
  const stubborn = live.filter((_p, i) => !done[i]);
  for (const pid of stubborn) signal(pid, 'SIGKILL');
  await Promise.all(stubborn.map((pid) => waitForExit(pid, 5000)));
}

/**
 * Processes that belong to one Berth instance: those whose environment names
 * its run root (the launcher, the services, anything they spawned without
 * clearing the environment) or whose command line mentions its temp root
 * (conmon, redis-server, runc). Never this process or its ancestors.
 */
export function processesOf(root: string, runRoot: string): number[] {
  const skip = selfAndAncestors();
  const envMark = Buffer.from(`BERTH_RUN_ROOT=${runRoot}\0`);
  const argMark = Buffer.from(root.endsWith('/') ? root : root + '/');
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || skip.has(pid)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`);
      const environ = fs.readFileSync(`/proc/${pid}/environ`);
      const rootArg = cmdline.includes(argMark) || cmdline.includes(Buffer.concat([Buffer.from(root), Buffer.from([0])]));
      if ((rootArg || environ.includes(envMark)) && isRunning(pid)) out.push(pid);
    } catch { /* gone meanwhile, or a kernel thread */ }
  }
  return out;
}
