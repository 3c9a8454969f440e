import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Small files other programs leave for us (runc's and conmon's pid files,
 * conmon's exit files, a log's last words). They are read while their writer
 * may still be busy with them, so missing or empty means "not yet".
 */

/** A file's text without the surrounding whitespace; '' when it cannot be read. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return (await fs.promises.readFile(file, 'utf8')).trim();
  } catch {
    return '';
  }
}

export function readTextFileSync(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function pidOf(text: string): number | undefined {
  const n = Number(text);
  return text !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A pid file's number, or undefined while it is missing or not written yet. */
export async function readPidFile(file: string): Promise<number | undefined> {
  return pidOf(await readTextFile(file));
}

export function readPidFileSync(file: string): number | undefined {
  return pidOf(readTextFileSync(file));
}

/** Writes `pid` through a rename, so a reader never sees half a number. */
export function writePidFile(file: string, pid: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${pid}\n`);
  fs.renameSync(tmp, file);
}

/**
 * The exit code in conmon's exit file, or undefined while the process has not
 * exited (no file) or the file is being written (empty). Anything else in it
 * is an error: it would mean the file is not conmon's.
 */
export async function readExitFile(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = (await fs.promises.readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text === '') return undefined;
  const code = Number(text);
  if (!Number.isInteger(code)) throw new Error(`exit file ${file} holds ${JSON.stringify(text)}`);
  return code;
}
