/** What a server stream needs to be waited on: its 'drain' once gRPC's buffer has room. */
interface Drainable {
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/**
 * Waits until gRPC's buffer has room again, or the call is gone: a server
 * stream whose client stops reading holds the producer back instead of
 * piling messages up in memory.
 */
export function writable(call: Drainable, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
