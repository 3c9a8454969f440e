import * as fs from 'node:fs';

export type ProcessState = 'running' | 'zombie' | 'gone';

/** Whether `pid` runs. A zombie has exited; only its parent has not collected it yet (PID 1 may be slow to). */
export function processState(pid: number): ProcessState {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold anything, so the state is found after the last `)`.
    const close = stat.lastIndexOf(')');
    const state = stat.slice(close + 2, close + 3);
    return state === 'Z' || state === 'X' ? 'zombie' : 'running';
  } catch {
    return 'gone';
  }
}

/** Alive and not a zombie. */
export function processAlive(pid: number): boolean {
  return processState(pid) === 'running';
}

/** The kernel's id for this boot of the host ('' when it cannot be read): records made before a reboot name dead processes. */
export function currentBootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}
