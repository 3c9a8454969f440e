import type { Readable } from 'node:stream';

/** The writing half of a client-streaming gRPC call. */
export interface UploadCall<M> {
  write(message: M): boolean;
  end(): void;
  cancel(): void;
  on(event: 'drain', listener: () => void): unknown;
}

/**
 * Streams a request body into a client-streaming call as fast as the service
 * takes it; a body cut short (error, or closed before its end) cancels the call.
 * Returns a function that stops reading and lets the rest of the body drain unused.
 */
export function pipeBody<M>(body: Readable, call: UploadCall<M>, message: (chunk: Buffer) => M): () => void {
  const onData = (chunk: Buffer): void => {
    if (!call.write(message(chunk))) body.pause();
  };
  body.on('data', onData);
  call.on('drain', () => body.resume());
  body.on('end', () => call.end());
  body.on('error', () => call.cancel());
  body.on('close', () => {
    if (!body.readableEnded) call.cancel();
  });
  return () => {
    body.off('data', onData);
    body.resume();
  };
}
