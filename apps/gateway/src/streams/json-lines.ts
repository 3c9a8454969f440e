import type { FastifyReply } from 'fastify';
import { redactError } from '../server/redact';

/** Starts a streamed JSON-lines answer at once (the CLI waits for the headers). */
export function startJsonStream(reply: FastifyReply, contentType = 'application/json') {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, { 'Content-Type': contentType });
  res.flushHeaders();
  return {
    line(obj: unknown): void {
      if (!res.writableEnded) res.write(typeof obj === 'string' ? obj + '\n' : JSON.stringify(obj) + '\n');
    },
    end(): void {
      if (!res.writableEnded) res.end();
    },
  };
}

/** A failure after the headers went out travels in the stream, as dockerd does. */
export function errorMessage(raw: string): Record<string, unknown> {
  const message = redactError(500, raw);
  return { errorDetail: { message }, error: message };
}

/**
 * Streams a job's progress (pull, push) as Docker's JSON messages; a failure
 * arrives in the stream's errorDetail, so the CLI exits non-zero with its wording.
 */
export async function streamProgress(reply: FastifyReply, run: (onProgress: (lines: unknown[]) => void) => Promise<unknown[]>): Promise<void> {
  const out = startJsonStream(reply);
  try {
    const result = await run((lines) => { for (const l of lines) out.line(l); });
    for (const l of result) out.line(l);
  } catch (err) {
    out.line(errorMessage(err instanceof Error ? err.message : String(err)));
  } finally {
    out.end();
  }
}
