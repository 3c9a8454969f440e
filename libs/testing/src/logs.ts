import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Everything the launcher and the services print, kept for the test: the
 * last `limit` bytes in memory, mirrored to stderr with BERTH_TEST_VERBOSE=1
 * and appended to `<BERTH_TEST_LOG_DIR>/<instance>.log` when that is set
 * (the temp root, and any log in it, is deleted by stop()).
 */
export class LogBuffer {
  private chunks: string[] = [];
  private size = 0;
  private readonly file?: string;
  private readonly verbose = process.env.BERTH_TEST_VERBOSE === '1';

  constructor(instance: string, private readonly limit = 2 * 1024 * 1024) {
    const dir = process.env.BERTH_TEST_LOG_DIR;
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      this.file = path.join(path.resolve(dir), `${instance}.log`);
    }
  }

  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
    if (this.verbose) process.stderr.write(text);
    if (this.file) fs.appendFileSync(this.file, text);
  }

  text(): string {
    return this.chunks.join('');
  }

  tail(bytes = 8192): string {
    const all = this.text();
    return all.length > bytes ? all.slice(all.length - bytes) : all;
  }
}

/** Feeds a child's output stream into the buffer, prefixed when it is not the launcher's own. */
export function capture(stream: NodeJS.ReadableStream, logs: LogBuffer, prefix = ''): void {
  stream.setEncoding('utf8');
  let pending = '';
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const nl = pending.lastIndexOf('\n');
    if (nl < 0) return;
    const lines = pending.slice(0, nl + 1);
    pending = pending.slice(nl + 1);
    logs.write(prefix ? lines.replace(/^(?=.)/gm, prefix) : lines);
  });
  stream.on('end', () => {
    if (pending) logs.write(prefix + pending + '\n');
  });
}
