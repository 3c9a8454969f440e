import type { AttachedExec, ExecCreateConfig, StartOptions } from '../exec/exec-types';
import { goDuration } from './go-duration';

export interface ProbeResult {
  exitCode: number;
  output: string;
}

/** What a probe needs of the exec machinery (ExecManager). */
export interface ProbeExecs {
  create(containerRef: string, config: ExecCreateConfig, internal?: boolean): string;
  start(id: string, o: StartOptions): Promise<AttachedExec>;
}

/** The longest probe output kept (dockerd's maxOutputLen); more is cut and marked "...". */
export const MAX_PROBE_OUTPUT = 4096;

/** Runs health probes as execs inside the container. */
export class ExecProbeRunner {
  constructor(private readonly execs: ProbeExecs) {}

  /**
   * One health probe as dockerd runs it: an exec with the container's user
   * and working dir, no TTY, stdout and stderr into one bounded buffer.
   * Past `timeoutMs` the process is killed and the result says so.
   */
  async runProbe(containerId: string, cmd: string[], timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const output = () => Buffer.concat(chunks).toString('utf8') + (truncated ? '...' : '');
    const id = this.execs.create(containerId, { Cmd: cmd, AttachStdout: true, AttachStderr: true }, true);
    let session: AttachedExec;
    try {
      session = await this.execs.start(id, {
        detach: false,
        onOutput: (_stream, data) => {
          const keep = Math.min(MAX_PROBE_OUTPUT - size, data.length);
          if (keep > 0) {
            chunks.push(data.subarray(0, keep));
            size += keep;
          }
          if (keep < data.length) truncated = true;
        },
      });
    } catch (err) {
      // dockerd records a probe that could not run as exit -1 with the error
      return { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
    }
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      onAbort = () => resolve('timeout');
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const res = await Promise.race([session.done, timedOut]);
      if (res === 'timeout') {
        session.kill('SIGKILL');
        // let the killed probe go before the next one (dockerd waits for it too)
        await session.done;
        const out = output();
        const limit = goDuration(timeoutMs);
        return { exitCode: -1, output: out ? `Health check exceeded timeout (${limit}): ${out}` : `Health check exceeded timeout (${limit})` };
      }
      return { exitCode: res ?? -1, output: output() };
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }
}
