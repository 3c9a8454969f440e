import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { status as grpcStatus } from '@grpc/grpc-js';
import { ApiError, MULTIPLEXED_STREAM, RAW_STREAM, StdStream, TimestampError, parseUnixTimestamp, stdcopyFrame, toApiError, unixTimeToSeconds } from '@berth/engine-api';
import type { containerLogs } from '@berth/proto';
import type { ContainerMonitorBackend } from '../backends/container.backend';
import type { StreamError } from '../backends/streams';
import { CONTAINER_MONITOR_BACKEND } from '../backends/tokens';
import { Features, queryBool } from '../server/request-context';
import type { ApiFeatures } from '../versions/features';
import { containerConfigOf } from '../containers/container-view';
import { redactError } from '../server/redact';

/**
 * dockerd's since/until: "seconds" or "seconds.fraction" since the epoch, as unix seconds.
 * dockerd passes strconv's error through unwrapped (a 500); a malformed query is
 * the client's mistake, so Berth keeps Go's wording and answers 400 (issue 9: never a 500).
 */
function unixSeconds(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  try {
    return unixTimeToSeconds(parseUnixTimestamp(raw));
  } catch (err) {
    if (err instanceof TimestampError) throw ApiError.badRequest(err.message);
    throw err;
  }
}

/** dockerd reads `tail` with Atoi: a number of lines; anything else ("all") means all. */
function tailLines(raw: string | undefined): number {
  if (raw === undefined || !/^[+-]?\d+$/.test(raw.trim())) return -1;
  const n = Number(raw);
  return n < 0 ? -1 : n;
}

/** `GET /containers/{id}/logs`: container-service reads the log; this streams its chunks as they come. */
@Controller()
export class ContainerLogsController {
  constructor(@Inject(CONTAINER_MONITOR_BACKEND) private readonly monitor: ContainerMonitorBackend) {}

  @Get('containers/:id/logs')
  async logs(
    @Param('id') id: string,
    @Query() q: Record<string, string | undefined>,
    @Res() reply: FastifyReply,
    @Features() features: ApiFeatures,
  ): Promise<void> {
    // Everything that can fail with a status is checked before the 200 goes out.
    const stdout = queryBool(q.stdout);
    const stderr = queryBool(q.stderr);
    if (!stdout && !stderr) throw ApiError.badRequest('Bad parameters: you must choose at least one stream');
    const found = await this.monitor.inspect({ id, size: false });
    const since = unixSeconds(q.since);
    const until = q.until === '0' ? 0 : unixSeconds(q.until);
    const tty = containerConfigOf(found).Tty === true;

    const request: containerLogs.LogsRequest = {
      id: found.id,
      follow: queryBool(q.follow),
      stdout,
      stderr,
      since,
      until,
      timestamps: queryBool(q.timestamps),
      tail: tailLines(q.tail),
      details: queryBool(q.details),
    };
    const res = reply.raw;
    reply.hijack();
    // Headers at once: a follow of a quiet container must not leave the client waiting for them.
    res.writeHead(200, { 'Content-Type': !tty && features.multiplexedStreamContentType ? MULTIPLEXED_STREAM : RAW_STREAM });
    res.flushHeaders();

    const call = this.monitor.logs(request);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (!res.writableEnded) res.end();
    };
    call.on('data', (msg: containerLogs.LogChunk) => {
      if (!res.write(msg.data)) {
        call.pause();
        res.once('drain', () => call.resume());
      }
    });
    call.on('end', finish);
    call.on('error', (err: StreamError) => {
      if (err.code !== grpcStatus.CANCELLED && !res.writableEnded) {
        // After the 200, dockerd reports a failure in the stream itself.
        const text = `Error grabbing logs: ${redactError(500, toApiError(err).message)}\n`;
        res.write(tty ? Buffer.from(text) : stdcopyFrame(StdStream.SystemErr, Buffer.from(text)));
      }
      finish();
    });
    // The client went away: cancelling the call stops the follow in container-service.
    res.on('close', () => {
      if (!finished) {
        finished = true;
        call.cancel();
      }
    });
  }
}
