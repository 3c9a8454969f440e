/**
 * Docker's stdcopy framing: what attach, exec and logs send when stdout and
 * stderr share one connection (no TTY). Each frame is an 8-byte header
 * (stream, three zero bytes, big-endian payload length) and the payload.
 */

/** Announced for framed output from API 1.42 on. */
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';
/** Unframed output (a TTY), and framed output before API 1.42. */
export const RAW_STREAM = 'application/vnd.docker.raw-stream';

export const STDCOPY_HEADER_LENGTH = 8;

/** The stream byte of a frame; SystemErr carries an error met after the response began. */
export enum StdStream {
  Stdin = 0,
  Stdout = 1,
  Stderr = 2,
  SystemErr = 3,
}

/** Writes a frame header at `at` in `buf` (which must have 8 bytes there). */
export function writeStdcopyHeader(buf: Buffer, at: number, stream: StdStream, length: number): void {
  buf[at] = stream;
  buf[at + 1] = 0;
  buf[at + 2] = 0;
  buf[at + 3] = 0;
  buf.writeUInt32BE(length, at + 4);
}

/** One whole frame: header and payload in one buffer. */
export function stdcopyFrame(stream: StdStream, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(STDCOPY_HEADER_LENGTH + payload.length);
  writeStdcopyHeader(out, 0, stream, payload.length);
  payload.copy(out, STDCOPY_HEADER_LENGTH);
  return out;
}

export interface StdcopyFrame {
  stream: StdStream;
  payload: Buffer;
}

/**
 * The whole frames at the start of `buf`, and how many bytes they took: a
 * frame cut short at the end is left for the caller to complete. A header
 * whose padding is not zero, or that names no stream, is refused.
 */
export function readStdcopyFrames(buf: Buffer): { frames: StdcopyFrame[]; consumed: number } {
  const frames: StdcopyFrame[] = [];
  let at = 0;
  while (at + STDCOPY_HEADER_LENGTH <= buf.length) {
    const stream = buf[at]!;
    if (stream > StdStream.SystemErr || buf[at + 1] !== 0 || buf[at + 2] !== 0 || buf[at + 3] !== 0) {
      throw new Error(`bad stdcopy header at byte ${at}`);
    }
    const length = buf.readUInt32BE(at + 4);
    const end = at + STDCOPY_HEADER_LENGTH + length;
    if (end > buf.length) break;
    frames.push({ stream, payload: buf.subarray(at + STDCOPY_HEADER_LENGTH, end) });
    at = end;
  }
  return { frames, consumed: at };
}
