import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { container } from '@berth/proto';
import type { Logger } from '@berth/logging';
import type { ServiceClients } from '../services/service-clients';
import { queryBool } from '../server/request-context';
import { acceptHijack, HijackedConnection, rejectHijack, streamContentType } from './hijack-session';

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
 * `POST /containers/{id}/attach`: opens container-service's Attach stream
 * first, so a missing container is a plain 404, then takes the connection
 * over and pipes both ways.
 */
export function handleAttach(services: ServiceClients, logger: Logger, req: IncomingMessage, socket: Duplex, head: Buffer, id: string): void {
  const url = new URL(req.url ?? '/', 'http://berth');
  const opts = attachOptions(decodeURIComponent(id), url.searchParams);
  const call = services.containerStreams.attach();
  let conn: HijackedConnection | undefined;
  call.on('data', (msg: container.AttachOutput) => {
    const out = msg.output;
    if (!out) return;
    if (out.$case === 'ready') {
      acceptHijack(req, socket, streamContentType(req, out.ready.tty));
      conn = new HijackedConnection(socket, !out.ready.tty);
      conn.pipeInput(head, {
        stdin: (d) => call.write({ input: { $case: 'stdin', stdin: d } }),
        closeStdin: () => call.write({ input: { $case: 'closeStdin', closeStdin: true } }),
        cancel: () => call.cancel(),
      });
    } else if (out.$case === 'chunk' && conn) {
      if (!conn.output(out.chunk.stream, Buffer.from(out.chunk.data))) {
        call.pause();
        conn.onDrain(() => call.resume());
      }
    }
  });
  call.on('end', () => conn?.end());
  call.on('error', (err: Error & { code?: number }) => {
    if (!conn) rejectHijack(socket, err);
    else if (err.code !== 1) {
      logger.warn('attach stream failed', { container: opts.id, error: err.message });
      conn.end();
    }
  });
  call.write({ input: { $case: 'open', open: opts } });
}
