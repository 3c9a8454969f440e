import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError, toApiError } from '@berth/engine-api';
import type { containerStats } from '@berth/proto';
import type { ContainerMonitorBackend } from '../backends/container.backend';
import { CONTAINER_MONITOR_BACKEND } from '../backends/tokens';
import { queryBool } from '../server/request-context';

/** `docker stats` and `docker top`: container-service samples and runs ps; this relays. */
@Controller()
export class ContainerStatsController {
  constructor(@Inject(CONTAINER_MONITOR_BACKEND) private readonly monitor: ContainerMonitorBackend) {}

  /**
   * One StatsJSON (stream=false) or one per second (stream, the default).
   * Nothing is sent before container-service's first line or error, so an
   * unknown container still gets its 404.
   */
  @Get('containers/:id/stats')
  stats(@Param('id') id: string, @Query() q: Record<string, string | undefined>, @Res() reply: FastifyReply): Promise<void> {
    const stream = queryBool(q.stream, true);
    const oneShot = queryBool(q['one-shot']);
    const call = this.monitor.stats({ id, stream, oneShot });
    const res = reply.raw;
    let started = false;
    return new Promise<void>((resolve, reject) => {
      res.on('close', () => {
        if (!res.writableFinished) call.cancel();
      });
      call.on('data', (msg: containerStats.StatsSample) => {
        if (!stream) {
          if (started) return;
          started = true;
          void reply.header('Content-Type', 'application/json').send(Buffer.from(msg.json + '\n'));
          resolve();
          return;
        }
        if (!started) {
          started = true;
          // dockerd's stream carries no Content-Type: the CLI decodes JSON values one after another.
          reply.hijack();
          res.writeHead(200);
          resolve();
        }
        // A client that stops reading pauses the call (and so container-service's sampling) instead of filling memory.
        if (!res.write(msg.json + '\n')) {
          call.pause();
          res.once('drain', () => call.resume());
        }
      });
      call.on('error', (err) => {
        if (!started) reject(toApiError(err));
        else if (!res.writableEnded) res.end();
      });
      call.on('end', () => {
        if (!started) reject(ApiError.internal('stats ended without a sample'));
        else if (stream && !res.writableEnded) res.end();
      });
    });
  }

  /** ps on the host, narrowed to the container's processes. */
  @Get('containers/:id/top')
  async top(@Param('id') id: string, @Query('ps_args') psArgs: string | undefined): Promise<Record<string, unknown>> {
    const res = await this.monitor.top({ id, psArgs: psArgs ?? '' });
    // Go's nil slice: no matching process encodes as null.
    return { Processes: res.processes.length > 0 ? res.processes.map((p) => p.fields) : null, Titles: res.titles };
  }
}
