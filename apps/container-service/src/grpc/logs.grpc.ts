import { Inject, Injectable } from '@nestjs/common';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { containerLogs } from '@berth/proto';
import { ServiceBinding, toStatusObject } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { ContainerLogs } from '../logs';
import { LOGGER } from '../tokens';
import { writable } from './writable';

type LogsCall = ServerWritableStream<containerLogs.LogsRequest, containerLogs.LogChunk>;

/** The ContainerLogs contract: streams ContainerLogs' chunks with gRPC's backpressure. */
@Injectable()
export class ContainerLogsGrpcController {
  constructor(private readonly logs: ContainerLogs, @Inject(LOGGER) private readonly logger: Logger) {}

  binding(): ServiceBinding {
    const implementation: containerLogs.ContainerLogsServer = {
      logs: (call: LogsCall) => {
        const cancel = new AbortController();
        // The client went away: stop reading and release the follow's watchers at once.
        call.on('cancelled', () => cancel.abort());
        void (async () => {
          const req = call.request;
          try {
            const { chunks } = this.logs.open(req.id, {
              follow: req.follow,
              stdout: req.stdout,
              stderr: req.stderr,
              since: req.since,
              until: req.until,
              timestamps: req.timestamps,
              tail: req.tail,
              details: req.details,
            }, cancel.signal);
            for await (const data of chunks) {
              if (cancel.signal.aborted) break;
              if (!call.write({ data })) await writable(call, cancel.signal);
            }
            if (!cancel.signal.aborted) call.end();
          } catch (err) {
            if (cancel.signal.aborted) return;
            const st = toStatusObject(err);
            if (st.code === 13) this.logger.error('logs failed', { container: req.id, error: st.details });
            call.emit('error', st);
          }
        })();
      },
    };
    return { definition: containerLogs.ContainerLogsService, implementation };
  }
}
