import { SeqpacketSocket } from 'node-unix-socket';

/** conmon's attach socket: each message from it starts with the pipe it came from. */
const CONMON_STDOUT = 2;
const CONMON_STDERR = 3;
/** conmon's STDIO_BUF_SIZE: the most it reads from the attach socket at once. */
const CONMON_READ_BUFFER = 8192;
/**
 * Stdin bytes handed to the socket but not yet taken by the kernel, past
 * which write() says "full": node-unix-socket queues without limit when
 * the socket is full (conmon stops reading when the container does), so
 * the caller must stop feeding and wait for onDrain.
 */
export const STDIN_HIGH_WATER_MARK = 64 * 1024;

export interface AttachSink {
  /** 1 stdout, 2 stderr (Docker's stream numbers). */
  output(stream: 1 | 2, data: Buffer): void;
  /** The container's output ended (it exited, or conmon went away). */
  end(): void;
}

/**
 * One connection to conmon's attach socket (SOCK_SEQPACKET, verified on
 * these machines): output arrives as messages, stdin goes out as plain
 * writes, and a half-close (`end()`) makes conmon close the container's
 * stdin unless it was told to leave it open.
 */
export class ConmonAttachment {
  private readonly socket = new SeqpacketSocket();
  private ended = false;
  /** Bytes written whose callback has not run: what node-unix-socket still holds. */
  private unflushed = 0;
  private drainWaiters: (() => void)[] = [];

  private constructor(private readonly sink: AttachSink) {
    this.socket.on('data', (buf: Buffer) => {
      if (buf.length < 1) return;
      const pipe = buf[0];
      if (pipe === CONMON_STDOUT) sink.output(1, buf.subarray(1));
      else if (pipe === CONMON_STDERR) sink.output(2, buf.subarray(1));
    });
    const finish = () => {
      if (this.ended) return;
      this.ended = true;
      this.releaseWaiters();
      sink.end();
    };
    this.socket.on('end', finish);
    this.socket.on('close', finish);
    this.socket.on('error', finish);
  }

  /** Resolves once connected; rejects when the socket is not there (the container is not running). */
  static connect(socketPath: string, sink: AttachSink): Promise<ConmonAttachment> {
    return new Promise((resolve, reject) => {
      const a = new ConmonAttachment(sink);
      try {
        a.socket.connect(socketPath, () => resolve(a));
      } catch (err) {
        a.ended = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /**
   * conmon reads each message into a fixed buffer and a SEQPACKET read drops
   * what does not fit: stdin goes out in pieces no larger than that buffer.
   * False when the socket holds STDIN_HIGH_WATER_MARK or more not yet taken
   * by the kernel: stop writing until onDrain.
   */
  write(data: Buffer): boolean {
    if (this.ended) return true;
    for (let off = 0; off < data.length; off += CONMON_READ_BUFFER) {
      const piece = data.subarray(off, off + CONMON_READ_BUFFER);
      this.unflushed += piece.length;
      this.socket.write(piece, 0, piece.length, () => this.flushed(piece.length));
    }
    return this.unflushed < STDIN_HIGH_WATER_MARK;
  }

  /** Runs `fn` once what was written is taken (at once when nothing waits, or once the socket is gone). */
  onDrain(fn: () => void): void {
    if (this.ended || this.unflushed < STDIN_HIGH_WATER_MARK) {
      queueMicrotask(fn);
      return;
    }
    this.drainWaiters.push(fn);
  }

  private flushed(n: number): void {
    this.unflushed -= n;
    if (this.unflushed < STDIN_HIGH_WATER_MARK) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    for (const fn of this.drainWaiters.splice(0)) fn();
  }

  /** No more stdin from this client. */
  closeStdin(): void {
    if (!this.ended) this.socket.end();
  }

  close(): void {
    this.ended = true;
    this.socket.destroy();
    this.releaseWaiters();
  }
}
