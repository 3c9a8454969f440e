/** Where a client's stdin goes: a container's attach socket or an exec's. */
export interface StdinTarget {
  /** false: it is full, wait for onDrain before the next write. */
  write(data: Buffer): boolean;
  /** Runs `fn` once it takes more. */
  onDrain(fn: () => void): void;
  /** No more stdin. */
  close(): void;
}

/** The read side of the gRPC call stdin arrives on. */
export interface PausableCall {
  pause(): unknown;
  resume(): unknown;
}

/**
 * Stdin from a gRPC call to a process, with backpressure: while the target
 * is full, or not there yet (an attach waiting for the container to start,
 * an exec being launched), the call's read side is paused. grpc-js then
 * stops reading the HTTP/2 stream, its flow control stops the gateway's
 * writes, and the gateway stops reading the client: a process that never
 * reads its stdin holds the client back instead of this service's memory
 * (300 MB pushed used to become 300 MB here).
 */
export class StdinFlow {
  private target: StdinTarget | undefined;
  private readonly held: Buffer[] = [];
  private closing = false;
  private closed = false;
  private waitingDrain = false;

  constructor(private readonly call: PausableCall) {}

  write(data: Buffer): void {
    if (this.closing || data.length === 0) return;
    if (!this.target || this.held.length > 0 || this.waitingDrain) {
      this.held.push(data);
      this.call.pause();
      return;
    }
    if (!this.target.write(data)) this.waitDrain(this.target);
  }

  /** No more stdin: the target closes once everything held went in. */
  close(): void {
    this.closing = true;
    this.flush();
  }

  /** The target is ready: what was held goes first. */
  attach(target: StdinTarget): void {
    this.target = target;
    this.flush();
  }

  /** How many chunks wait here for the target. */
  get heldChunks(): number { return this.held.length; }

  private flush(): void {
    const target = this.target;
    if (!target || this.waitingDrain) return;
    while (this.held.length > 0) {
      if (!target.write(this.held.shift()!)) {
        this.waitDrain(target);
        return;
      }
    }
    if (this.closing) {
      if (!this.closed) {
        this.closed = true;
        target.close();
      }
      return;
    }
    this.call.resume();
  }

  private waitDrain(target: StdinTarget): void {
    if (this.waitingDrain) return;
    this.waitingDrain = true;
    this.call.pause();
    target.onDrain(() => {
      this.waitingDrain = false;
      this.flush();
    });
  }
}
