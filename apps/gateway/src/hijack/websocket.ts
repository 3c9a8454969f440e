import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One server-to-client frame (never masked): text or binary. */
export function encodeFrame(payload: Buffer, opcode = 0x2): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

export interface WsMessage {
  opcode: number;
  payload: Buffer;
}

/** Parses client frames (masked, RFC 6455) as bytes arrive; fragments are delivered as they come. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): WsMessage[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: WsMessage[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      const opcode = this.buf[0] & 0x0f;
      const masked = (this.buf[1] & 0x80) !== 0;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) break;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) break;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const maskOff = off;
      if (masked) off += 4;
      if (this.buf.length < off + len) break;
      const payload = Buffer.from(this.buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= this.buf[maskOff + (i % 4)];
      out.push({ opcode, payload });
      this.buf = this.buf.subarray(off + len);
    }
    return out;
  }
}

/** A websocket over an upgraded socket: binary out, client frames in. */
export class WebSocketConnection {
  private closed = false;
  private readonly decoder = new FrameDecoder();

  constructor(private readonly socket: Duplex, private readonly opcode: number) {
    socket.on('error', () => undefined);
  }

  onMessage(fn: (data: Buffer) => void, onClose: () => void): void {
    this.socket.on('data', (chunk: Buffer) => {
      for (const m of this.decoder.push(chunk)) {
        if (m.opcode === 0x8) {
          this.close();
          onClose();
        } else if (m.opcode === 0x9) {
          this.socket.write(encodeFrame(m.payload, 0xa));
        } else if (m.opcode === 0x0 || m.opcode === 0x1 || m.opcode === 0x2) {
          fn(m.payload);
        }
      }
    });
    this.socket.on('close', () => {
      if (!this.closed) {
        this.closed = true;
        onClose();
      }
    });
  }

  send(data: Buffer): boolean {
    if (this.closed) return true;
    return this.socket.write(encodeFrame(data, this.opcode));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(encodeFrame(Buffer.alloc(0), 0x8));
  }
}
