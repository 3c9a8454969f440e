import { execFile } from 'node:child_process';

export class CommandError extends Error {
  constructor(message: string, readonly stderr: string, readonly exitCode: number | null) {
    super(message);
    this.name = 'CommandError';
  }
}

/**
 * Runs a program (no shell) and resolves with its stdout; rejects with its
 * stderr in the message, which is what callers match on ("File exists").
 */
export function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      const detail = stderr.trim() || err.message;
      reject(new CommandError(`${file} ${args.join(' ')}: ${detail}`, stderr, code));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
