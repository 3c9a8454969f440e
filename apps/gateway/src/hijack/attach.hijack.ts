import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { container } from '@berth/proto';
import type { Logger } from '@berth/logging';
import type { ContainerAttachBackend } from '../backends/container.backend';
import type { StreamError } from '../backends/streams';
import { CONTAINER_ATTACH_BACKEND } from '../backends/tokens';
import { LOGGER } from '../tokens';
import { apiVersionOf } from '../server/api-version';
import { queryBool } from '../server/request-context';
import { featuresFor } from '../versions/features';
import { acceptHijack, HijackBackend, HijackedConnection, rejectHijack, streamContentType } from './hijack-session';
import { openWebSocket, WebSocketClient, webSocketServer } from './websocket';

const GRPC_CANCELLED = 1;

/** The query of `POST /containers/{id}/attach`. */
export function attachOptions(id: string, query: URLSearchParams): container.AttachOptions {
  const flag = (k: string) => queryBool(query.get(k) ?? undefined);
  return {
    id,
    stdin: flag('stdin'),
    stdout: flag('stdout'),
    stderr: flag('stderr'),
    stream: flag('stream'),
    logs: flag('logs'),
    detachKeys: query.get('detachKeys') ?? '',
  };
}

/**
 * How the client is attached: `stream` is the hijacked connection (101 with
 * `Upgrade: tcp`, the legacy 200 without), framed unless the container has a
 * TTY; `websocket` is `GET /containers/{id}/attach/ws`.
 */
export type AttachTransport = 'stream' | 'websocket';

/** The client's side of an attach, whatever the transport. */
interface AttachedClient {
  output(stream: number, data: Buffer): boolean;
  onDrain(fn: () => void): void;
  end(): void;
}

/** `docker attach`: one entry point for every way a client attaches. */
@Injectable()
export class ContainerAttach {
  private readonly websockets = webSocketServer();

  constructor(
    @Inject(CONTAINER_ATTACH_BACKEND) private readonly backend: ContainerAttachBackend,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Opens container-service's attach stream first, so a missing container is
   * a plain 404, then takes the connection over and pipes both ways. `head`
   * is what the client sent after the request head (stdin already). A
   * websocket handshake is validated by ws before anything is opened.
   */
  attach(req: IncomingMessage, socket: Duplex, head: Buffer, id: string, transport: AttachTransport): void {
    const features = featuresFor(apiVersionOf(req));
    const opts = attachOptions(id, new URL(req.url ?? '/', 'http://berth').searchParams);
    if (transport === 'stream') {
      this.open(opts, transport, (tty, input) => {
        acceptHijack(req, socket, streamContentType(features, tty));
        const conn = new HijackedConnection(socket, !tty);
        conn.pipeInput(head, input);
        return conn;
      }, (err) => rejectHijack(socket, err));
      return;
    }
    let client: WebSocketClient | undefined;
    let cancel: (() => void) | undefined;
    openWebSocket(this.websockets, req, socket, head, features.websocketBinaryFrames, (accept, refuse) => {
      cancel = this.open(opts, transport, (_tty, input) => {
        // ws completes the upgrade and calls back within accept()
        accept();
        client?.pipeInput(input);
        return client;
      }, refuse);
    }, (ws) => {
      client = ws;
    });
    socket.once('close', () => {
      if (!client) cancel?.();
    });
  }

  /**
   * Opens container-service's attach stream; on `ready`, `take` takes the
   * client's connection over (undefined: the client is gone), then output
   * flows to it and its input to the stream. Returns a cancel for a client
   * that goes away before that.
   */
  private open(
    opts: container.AttachOptions, transport: AttachTransport,
    take: (tty: boolean, input: HijackBackend) => AttachedClient | undefined,
    refuse: (err: StreamError) => void,
  ): () => void {
    const session = this.backend.attach();
    const input: HijackBackend = {
      stdin: (d: Buffer) => session.write({ input: { $case: 'stdin', stdin: d } }),
      onStdinDrain: (fn) => session.once('drain', fn),
      closeStdin: () => { session.write({ input: { $case: 'closeStdin', closeStdin: true } }); },
      cancel: () => session.cancel(),
    };
    let client: AttachedClient | undefined;
    session.on('data', (msg: container.AttachOutput) => {
      const out = msg.output;
      if (!out) return;
      if (out.$case === 'ready') {
        client = take(out.ready.tty, input);
        if (!client) session.cancel();
      } else if (out.$case === 'chunk' && client) {
        const attached = client;
        if (!attached.output(out.chunk.stream, Buffer.from(out.chunk.data))) {
          session.pause();
          attached.onDrain(() => session.resume());
        }
      }
    });
    session.on('end', () => client?.end());
    session.on('error', (err: StreamError) => {
      if (!client) {
        refuse(err);
        return;
      }
      if (err.code !== GRPC_CANCELLED) this.logger.warn('attach stream failed', { container: opts.id, transport, error: err.message });
      client.end();
    });
    session.write({ input: { $case: 'open', open: opts } });
    return () => session.cancel();
  }
}
