import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPidFileSync } from '@berth/host';

/**
 * `<runRoot>/pids/<name>.pid` holds the pid of each process the launcher
 * runs. Tests and operators use it to find (and deliberately kill) one
 * service; someone else may put a replacement's pid there, so removal only
 * happens while the file still names our process.
 */
export function pidFilePath(runRoot: string, name: string): string {
  return path.join(runRoot, 'pids', `${name}.pid`);
}

export function removePidFile(file: string, pid: number): void {
  if (readPidFileSync(file) !== pid) return;
  fs.rmSync(file, { force: true });
}
