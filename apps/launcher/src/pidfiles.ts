import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `<runRoot>/pids/<name>.pid` holds the pid of each process the launcher
 * runs. Tests and operators use it to find (and deliberately kill) one
 * service; someone else may put a replacement's pid there, so removal only
 * happens while the file still names our process.
 */
export function pidFilePath(runRoot: string, name: string): string {
  return path.join(runRoot, 'pids', `${name}.pid`);
}

export function writePidFile(file: string, pid: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${pid}\n`);
  fs.renameSync(tmp, file);
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function removePidFile(file: string, pid: number): void {
  if (readPidFile(file) !== pid) return;
  fs.rmSync(file, { force: true });
}
