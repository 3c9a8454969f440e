import { STDCOPY_HEADER_LENGTH as HEADER, StdStream, writeStdcopyHeader } from '@berth/engine-api';

export const STDOUT = StdStream.Stdout;
export const STDERR = StdStream.Stderr;
export type LogStream = typeof STDOUT | typeof STDERR;

/** Output is handed on in chunks of about this size: few messages, little copying. */
export const DEFAULT_CHUNK_SIZE = 128 * 1024;

/**
 * Builds the bytes of a logs response into large chunks. Without a TTY each line is
 * one of Docker's multiplexed frames (stream byte, 3 zero bytes, big-endian length,
 * payload); with a TTY the bytes go out raw. Line bytes are copied once, from the
 * read buffer into the chunk, and a frame's length is filled in when the line ends.
 */
export class LogEncoder {
  private buf: Buffer;
  private len = 0;
  /** Offset of the open frame's header, or -1. */
  private frameAt = -1;
  private frameStream: LogStream = STDOUT;
  private readonly capacity: number;

  constructor(
    private readonly multiplexed: boolean,
    private readonly emit: (chunk: Buffer) => void,
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
  ) {
    // Room above chunkSize so that lines rarely straddle two chunks.
    this.capacity = chunkSize * 2;
    this.buf = Buffer.allocUnsafe(this.capacity);
  }

  /** Starts (or continues) a frame for `stream`, closing one of the other stream. */
  open(stream: LogStream): void {
    if (!this.multiplexed) return;
    if (this.frameAt >= 0) {
      if (this.frameStream === stream) return;
      this.close();
    }
    this.openFrame(stream);
  }

  /** Ends the open frame; the chunk goes out once it is big enough. */
  close(): void {
    if (this.frameAt >= 0) this.closeFrame();
    if (this.len >= this.chunkSize) this.emitChunk();
  }

  /** Makes room for `n` more bytes in the current frame, splitting it into a new chunk if needed. */
  private reserve(n: number): void {
    if (this.len + n <= this.capacity) return;
    const stream = this.frameAt >= 0 ? this.frameStream : undefined;
    if (stream !== undefined) this.closeFrame();
    this.emitChunk();
    if (stream !== undefined) this.openFrame(stream);
  }

  write(src: Buffer, start: number, end: number): void {
    while (start < end) {
      const room = this.capacity - this.len;
      if (room <= HEADER) {
        this.reserve(this.capacity);
        continue;
      }
      const n = Math.min(room, end - start);
      src.copy(this.buf, this.len, start, start + n);
      this.len += n;
      start += n;
    }
  }

  writeByte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Lets `fill` write at most `n` bytes into the chunk; it returns the new end. */
  writeWith(n: number, fill: (buf: Buffer, at: number) => number): void {
    this.reserve(n);
    this.len = fill(this.buf, this.len);
  }

  /** Ends any frame and hands on whatever is buffered (before waiting for more input, and at the end). */
  flush(): void {
    if (this.frameAt >= 0) this.closeFrame();
    if (this.len > 0) this.emitChunk();
  }

  private openFrame(stream: LogStream): void {
    if (this.len + HEADER + 1 > this.capacity) this.emitChunk();
    this.frameAt = this.len;
    this.frameStream = stream;
    this.len += HEADER;
  }

  private closeFrame(): void {
    const at = this.frameAt;
    this.frameAt = -1;
    const size = this.len - at - HEADER;
    if (size === 0) {
      // An empty frame says nothing: drop its header.
      this.len = at;
      return;
    }
    writeStdcopyHeader(this.buf, at, this.frameStream, size);
  }

  private emitChunk(): void {
    if (this.len === 0) return;
    const chunk = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(this.capacity);
    this.len = 0;
    this.emit(chunk);
  }
}
