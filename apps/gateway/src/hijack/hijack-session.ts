import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MULTIPLEXED_STREAM, RAW_STREAM, type StdStream, stdcopyFrame, toApiError } from '@berth/engine-api';
import { COMMON_HEADERS } from '../server/identity';
import { redactError } from '../server/redact';
import type { ApiFeatures } from '../versions/features';

/** A TTY stream is raw; framed output is announced as the request's version has it. */
export function streamContentType(features: ApiFeatures, tty: boolean): string {
  return !tty && features.multiplexedStreamContentType ? MULTIPLEXED_STREAM : RAW_STREAM;
}

function headerLines(extra: Record<string, string>): string {
  return Object.entries({ ...COMMON_HEADERS, ...extra }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
}

/** Takes over the connection: `101 UPGRADED` when the client asked to upgrade, else the legacy `200 OK`. */
export function acceptHijack(req: IncomingMessage, socket: Duplex, contentType: string): void {
  const upgrade = /upgrade/i.test(String(req.headers.connection ?? '')) && String(req.headers.upgrade ?? '') !== '';
  const head = upgrade
    ? `HTTP/1.1 101 UPGRADED\r\n${headerLines({ 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' })}\r\n`
    : `HTTP/1.1 200 OK\r\n${headerLines({ 'Content-Type': contentType })}\r\n`;
  socket.write(head);
}

/** An error before the stream began, as a plain HTTP response. */
export function rejectHijack(socket: Duplex, err: unknown): void {
  const api = toApiError(err);
  const body = JSON.stringify({ message: redactError(api.statusCode, api.message) }) + '\n';
  const reason = api.statusCode === 404 ? 'Not Found' : api.statusCode === 409 ? 'Conflict' : api.statusCode === 400 ? 'Bad Request' : api.statusCode === 413 ? 'Request Entity Too Large' : 'Error';
  socket.end(
    `HTTP/1.1 ${api.statusCode} ${reason}\r\n${headerLines({ 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' })}\r\n${body}`,
  );
}

/** What a hijacked stream needs from the gRPC call behind it. */
export interface HijackBackend {
  /** Bytes the client typed; false when the call cannot take more (wait for onStdinDrain). */
  stdin(data: Buffer): boolean;
  /** Runs `fn` once the call takes more stdin. */
  onStdinDrain(fn: () => void): void;
  /** The client half-closed its side. */
  closeStdin(): void;
  /** The client went away entirely. */
  cancel(): void;
}

/**
 * Forwards a client's stdin to a backend, pausing `source` while the
 * backend is full and resuming it on the backend's drain.
 */
export function stdinFeeder(source: { pause(): unknown; resume(): unknown }, backend: HijackBackend): (data: Buffer) => void {
  let waiting = false;
  return (data: Buffer) => {
    if (backend.stdin(data) || waiting) return;
    waiting = true;
    source.pause();
    backend.onStdinDrain(() => {
      waiting = false;
      source.resume();
    });
  };
}

/**
 * Pipes a hijacked client connection to a backend: the client's bytes (and
 * any already read with the request head) go to stdin, the client's
 * half-close closes stdin but keeps output flowing, and `output`/`end`
 * write and finish the client's side.
 */
export class HijackedConnection {
  private ended = false;

  constructor(private readonly socket: Duplex, private readonly framed: boolean) {
    socket.on('error', () => undefined);
  }

  /**
   * Starts reading the client: call once the response head is written. The
   * socket is paused while the call behind it is full, so a client pushing
   * stdin into a process that never reads it is held back by TCP (or the
   * unix socket) rather than by the gateway's memory.
   */
  pipeInput(head: Buffer, backend: HijackBackend): void {
    const feed = stdinFeeder(this.socket, backend);
    this.socket.on('data', feed);
    // Reading an exec start's body may have paused the socket. Flowing
    // starts on the next tick, so the head still goes first, and a pause
    // the head causes holds.
    this.socket.resume();
    if (head.length > 0) feed(head);
    this.socket.on('end', () => backend.closeStdin());
    this.socket.on('close', () => {
      if (!this.ended) backend.cancel();
    });
  }

  /** Writes output; false means the client is slow (wait for `drain`). */
  output(stream: StdStream, data: Buffer): boolean {
    if (this.ended) return true;
    return this.socket.write(this.framed ? stdcopyFrame(stream, data) : data);
  }

  onDrain(fn: () => void): void {
    this.socket.once('drain', fn);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    // A connection taken from the HTTP server (legacy hijack) is still its
    // keep-alive socket: end() alone leaves it open, so close it once flushed.
    const s = this.socket as Duplex & { destroySoon?: () => void };
    if (typeof s.destroySoon === 'function') s.destroySoon();
    else s.end();
  }

  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }
}
