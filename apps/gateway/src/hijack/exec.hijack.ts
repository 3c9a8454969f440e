import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, EXEC_START, StdStream, stdcopyFrame } from '@berth/engine-api';
import type { containerExec } from '@berth/proto';
import type { Logger } from '@berth/logging';
import type { ExecBackend } from '../backends/exec.backend';
import type { StreamError } from '../backends/streams';
import { EXEC_BACKEND } from '../backends/tokens';
import { LOGGER } from '../tokens';
import { apiVersionOf } from '../server/api-version';
import { COMMON_HEADERS } from '../server/identity';
import { decodeAs, parseJsonBody } from '../server/body';
import { ApiFeatures, featuresFor } from '../versions/features';
import { acceptHijack, HijackedConnection, rejectHijack, streamContentType } from './hijack-session';

const GRPC_CANCELLED = 1;

/** The ExecStartCheck body of `POST /exec/{id}/start`. */
export interface ExecStartBody {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

/** The body as dockerd reads it (ReadJSON): required, JSON, an object. */
export function parseStartBody(text: string, contentType: string | undefined): ExecStartBody {
  if (text.trim() === '') throw ApiError.badRequest('invalid JSON: got EOF while reading request body');
  if (contentType && !/^(application|text)\/json\b/i.test(contentType)) {
    throw ApiError.badRequest(`unsupported Content-Type header (${contentType}): must be 'application/json'`);
  }
  return decodeAs<ExecStartBody>(parseJsonBody(text), EXEC_START);
}

/** The start options for container-service: ConsoleSize only with a TTY and where the version has it (dockerd drops it otherwise). */
export function startOptions(id: string, body: ExecStartBody, features: ApiFeatures): containerExec.StartExecOptions {
  const cs = body.Tty === true && features.execConsoleSize && Array.isArray(body.ConsoleSize) && body.ConsoleSize.length === 2 ? body.ConsoleSize : undefined;
  return { id, detach: body.Detach === true, tty: body.Tty === true, height: cs ? Number(cs[0]) || 0 : 0, width: cs ? Number(cs[1]) || 0 : 0 };
}

/**
 * The largest exec start body read off an upgraded connection: an
 * ExecStartCheck is a few dozen bytes, and whatever Content-Length a client
 * declares, the gateway must not buffer more than this before the stream starts.
 */
export const UPGRADE_BODY_LIMIT = 1024 * 1024;

/**
 * Reads a request body that arrived with a hijack request (Node hands an
 * upgrade over at the end of the headers): Content-Length bytes from what was
 * already read, then from the socket. What follows is the client's stdin.
 */
export function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer, limit = UPGRADE_BODY_LIMIT): Promise<{ body: Buffer; rest: Buffer }> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isInteger(length) || length <= 0) return Promise.resolve({ body: Buffer.alloc(0), rest: head });
  if (length > limit) return Promise.reject(new ApiError(413, 'request body too large'));
  if (head.length >= length) return Promise.resolve({ body: head.subarray(0, length), rest: head.subarray(length) });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [head];
    let size = head.length;
    const onData = (d: Buffer) => {
      chunks.push(d);
      size += d.length;
      if (size < length) return;
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      const buf = Buffer.concat(chunks, size);
      resolve({ body: buf.subarray(0, length), rest: buf.subarray(length) });
    };
    const onEnd = () => reject(ApiError.badRequest('invalid JSON: unexpected EOF'));
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

function plainOk(socket: Duplex, res: ServerResponse | undefined): void {
  if (res) {
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
    return;
  }
  const headers = Object.entries({ ...COMMON_HEADERS, 'Content-Length': '0', Connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 200 OK\r\n${headers}\r\n`);
}

/** A start that came through the router: its body parsed, its response not yet sent. */
export interface RoutedExecStart {
  body: ExecStartBody;
  res: ServerResponse;
}

/** `POST /exec/{id}/start`: one entry point, whether the request was routed or upgraded. */
@Injectable()
export class ExecStart {
  constructor(
    @Inject(EXEC_BACKEND) private readonly backend: ExecBackend,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * `routed`: the request came through the router (detached, or the legacy
   * hijack without Upgrade), body already read. Without it the request
   * asked to upgrade (`Upgrade: tcp`) and reached the UpgradeRouter with its
   * body unread: it is read off the socket, and what follows it is stdin.
   */
  start(req: IncomingMessage, socket: Duplex, head: Buffer, id: string, routed?: RoutedExecStart): void {
    const features = featuresFor(apiVersionOf(req));
    if (routed) {
      this.run(req, socket, head, startOptions(id, routed.body, features), features, routed.res);
      return;
    }
    socket.on('error', () => undefined);
    readUpgradeBody(req, socket, head)
      .then(({ body, rest }) => {
        const parsed = parseStartBody(body.toString('utf8'), req.headers['content-type']);
        this.run(req, socket, rest, startOptions(id, parsed, features), features);
      })
      .catch((err: unknown) => rejectHijack(socket, err));
  }

  /**
   * Detached: 200 once the process runs. Attached: once container-service
   * says the exec may start, the connection is taken over (101 with
   * `Upgrade: tcp`, the legacy 200 without), stdin flows in, output flows out
   * (framed unless the start asked for a TTY), and the stream ends when the
   * process does. A failure after that point is written into the stream, as
   * dockerd does, and the client learns the exit code from inspect.
   */
  private run(
    req: IncomingMessage, socket: Duplex, stdinHead: Buffer,
    options: containerExec.StartExecOptions, features: ApiFeatures, res?: ServerResponse,
  ): void {
    const session = this.backend.start();
    let conn: HijackedConnection | undefined;
    const framed = !options.tty;
    session.on('data', (msg: containerExec.ExecOutput) => {
      const out = msg.output;
      if (!out) return;
      if (out.$case === 'ready') {
        if (options.detach) {
          plainOk(socket, res);
          return;
        }
        acceptHijack(req, socket, streamContentType(features, options.tty));
        conn = new HijackedConnection(socket, framed);
        conn.pipeInput(stdinHead, {
          stdin: (d) => session.write({ input: { $case: 'stdin', stdin: d } }),
          onStdinDrain: (fn) => session.once('drain', fn),
          closeStdin: () => { session.write({ input: { $case: 'closeStdin', closeStdin: true } }); },
          cancel: () => session.cancel(),
        });
      } else if (out.$case === 'chunk' && conn) {
        const attached = conn;
        if (!attached.output(out.chunk.stream, Buffer.from(out.chunk.data))) {
          session.pause();
          attached.onDrain(() => session.resume());
        }
      }
    });
    session.on('end', () => conn?.end());
    session.on('error', (err: StreamError) => {
      if (!conn) {
        rejectHijack(socket, err);
        return;
      }
      if (err.code === GRPC_CANCELLED) return; // we cancelled: the client is gone
      // dockerd: fmt.Fprintf(stdout, "%v\r\n", err) on the hijacked stream
      const text = Buffer.from(`${err.details || err.message}\r\n`);
      socket.write(framed ? stdcopyFrame(StdStream.Stdout, text) : text);
      conn.end();
      this.logger.debug('exec start failed', { exec: options.id, error: err.details || err.message });
    });
    socket.once('close', () => {
      if (!conn && !options.detach) session.cancel();
    });
    session.write({ input: { $case: 'start', start: options } });
    // dockerd reads nothing more from a detached start
    if (options.detach) session.end();
  }
}
