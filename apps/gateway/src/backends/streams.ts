/** An error a backend stream ends with; `code` is the gRPC status when there is one. */
export type StreamError = Error & { code?: number; details?: string };

/** A stream of messages from a backend (a gRPC server stream). */
export interface MessageStream<T> {
  on(event: 'data', listener: (message: T) => void): unknown;
  on(event: 'error', listener: (err: StreamError) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
  /** The client went away: stop the work behind the stream. */
  cancel(): void;
}

/** A conversation with a backend: messages both ways (attach, exec start, load). */
export interface DuplexSession<In, Out> extends MessageStream<Out> {
  /** false: the backend is slow, wait for `drain`. */
  write(message: In): boolean;
  on(event: 'data', listener: (message: Out) => void): unknown;
  on(event: 'error', listener: (err: StreamError) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'drain', listener: () => void): unknown;
  /** Once the backend takes more after write() said false (grpc-js: the client stream's 'drain'). */
  once(event: 'drain', listener: () => void): unknown;
  end(): void;
}

/** A call that answers once but may be given up on (wait). */
export interface PendingCall<T> {
  result: Promise<T>;
  cancel(): void;
}
