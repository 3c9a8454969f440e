import type { FastifyReply } from 'fastify';

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
export function errorMessage(message: string): Record<string, unknown> {
  return { errorDetail: { message }, error: message };
}
