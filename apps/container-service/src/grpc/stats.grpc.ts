import { Inject, Injectable } from '@nestjs/common';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { containerStats } from '@berth/proto';
import { ServiceBinding, toStatusObject, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { ContainerStats } from '../stats/container-stats';
import { ContainerTop } from '../stats/container-top';
import { LOGGER } from '../tokens';
import { writable } from './writable';

/** The ContainerStats contract: docker stats (a stream of StatsJSON lines) and docker top. */
@Injectable()
export class ContainerStatsGrpcController {
  constructor(private readonly stats: ContainerStats, private readonly top: ContainerTop, @Inject(LOGGER) private readonly logger: Logger) {}

  binding(): ServiceBinding {
    const implementation: containerStats.ContainerStatsServer = {
      stats: (call: ServerWritableStream<containerStats.StatsRequest, containerStats.StatsSample>) => {
        const ac = new AbortController();
        call.on('cancelled', () => ac.abort());
        call.on('close', () => ac.abort());
        void (async () => {
          try {
            const { id, stream, oneShot } = call.request;
            for await (const json of this.stats.lines(id, { stream, oneShot }, ac.signal)) {
              if (ac.signal.aborted) break;
              // A client that stops reading holds the next sample back, instead of samples piling up here.
              if (!call.write({ json })) await writable(call, ac.signal);
            }
            if (!ac.signal.aborted) call.end();
          } catch (err) {
            const st = toStatusObject(err);
            if (st.code === 13) this.logger.error('stats failed', { error: st.details });
            if (!ac.signal.aborted) call.emit('error', st);
          }
        })();
      },
      top: unary(async (req: containerStats.TopRequest) => {
        const res = await this.top.top(req.id, req.psArgs);
        return { titles: res.titles, processes: res.processes.map((fields) => ({ fields })) };
      }, this.logger),
    };
    return { definition: containerStats.ContainerStatsService, implementation };
  }
}
