import { Inject, Injectable } from '@nestjs/common';
import type { ServerReadableStream, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import { Readable } from 'node:stream';
import { common, containerFiles } from '@berth/proto';
import { RpcError, ServiceBinding, toStatusObject, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { ContainerFiles, type TarStream } from '../files/container-files';
import type { PathStatJson } from '../files/path-stat';
import { LOGGER } from '../tokens';
import { writable } from './writable';

type Writable<Req, Res> = ServerWritableStream<Req, Res>;

/** Tar data goes out in messages of about this size. */
const MESSAGE_BYTES = 1024 * 1024;

function toProtoStat(s: PathStatJson): containerFiles.PathStat {
  return { name: s.name, size: s.size, mode: s.mode, mtime: s.mtime, linkTarget: s.linkTarget };
}

/** The data of a PutArchive call after its options message, as a byte stream. */
async function* tarData(messages: AsyncIterator<containerFiles.PutArchiveInput>): AsyncGenerator<Buffer> {
  for (;;) {
    const next = await messages.next();
    if (next.done) return;
    if (next.value.part?.$case === 'data') yield next.value.part.data;
  }
}

/** The ContainerFiles contract: thin adapters from gRPC streams to ContainerFiles. */
@Injectable()
export class ContainerFilesGrpcController {
  constructor(private readonly files: ContainerFiles, @Inject(LOGGER) private readonly logger: Logger) {}

  /**
   * Streams a tar with gRPC's backpressure; `first` (the stat) goes ahead.
   * A client that goes away stops the producer.
   */
  private stream<Req, Res>(
    call: Writable<Req, Res>,
    open: () => Promise<TarStream & { first?: Res }>,
    chunk: (data: Buffer) => Res,
    what: string,
  ): void {
    const ac = new AbortController();
    call.on('cancelled', () => ac.abort());
    void (async () => {
      let tar: (TarStream & { first?: Res }) | undefined;
      try {
        tar = await open();
        if (ac.signal.aborted) {
          tar.cancel();
          return;
        }
        ac.signal.addEventListener('abort', () => tar!.cancel(), { once: true });
        if (tar.first !== undefined) call.write(tar.first);
        // Fewer, larger messages: each one costs gRPC framing and a flow-control round.
        let batch: Buffer[] = [];
        let size = 0;
        const flush = async (): Promise<void> => {
          if (size === 0) return;
          const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch, size);
          batch = [];
          size = 0;
          if (!call.write(chunk(data))) await writable(call, ac.signal);
        };
        for await (const data of tar.stream) {
          if (ac.signal.aborted) break;
          batch.push(data as Buffer);
          size += (data as Buffer).length;
          if (size >= MESSAGE_BYTES) await flush();
        }
        if (!ac.signal.aborted) await flush();
        await tar.done;
        if (!ac.signal.aborted) call.end();
      } catch (err) {
        tar?.cancel();
        if (ac.signal.aborted) return;
        const st = toStatusObject(err);
        if (st.code === 13) this.logger.error(`${what} failed`, { error: st.details });
        call.emit('error', st);
      }
    })();
  }

  binding(): ServiceBinding {
    const implementation: containerFiles.ContainerFilesServer = {
      statPath: unary(async (req: containerFiles.PathRequest) => toProtoStat(await this.files.statPath(req.id, req.path)), this.logger),

      getArchive: (call: Writable<containerFiles.PathRequest, containerFiles.ArchiveChunk>) => {
        this.stream(call, async () => {
          const a = await this.files.archive(call.request.id, call.request.path);
          const first: containerFiles.ArchiveChunk = { part: { $case: 'stat', stat: toProtoStat(a.stat) } };
          return { ...a, first };
        }, (data): containerFiles.ArchiveChunk => ({ part: { $case: 'data', data } }), 'archive');
      },

      putArchive: (call: ServerReadableStream<containerFiles.PutArchiveInput, common.Empty>, callback: sendUnaryData<common.Empty>) => {
        void (async () => {
          const messages = call[Symbol.asyncIterator]() as AsyncIterator<containerFiles.PutArchiveInput>;
          try {
            const first = await messages.next();
            const options = first.done ? undefined : first.value.part?.$case === 'options' ? first.value.part.options : undefined;
            if (!options) throw RpcError.invalidArgument('PutArchive: the first message must carry the options');
            await this.files.extract(options.id, options.path, {
              noOverwriteDirNonDir: options.noOverwriteDirNonDir,
              copyUidGid: options.copyUidGid,
            }, Readable.from(tarData(messages), { objectMode: false }));
            callback(null, {});
          } catch (err) {
            const st = toStatusObject(err);
            if (st.code === 13) this.logger.error('extract failed', { error: st.details });
            callback({ code: st.code, details: st.details });
          }
        })();
      },

      export: (call: Writable<containerFiles.ContainerId, common.DataChunk>) => {
        this.stream(call, () => this.files.export(call.request.id), (data) => ({ data }), 'export');
      },

      changes: unary(async (req: containerFiles.ContainerId) => ({
        changes: (await this.files.changes(req.id)).map((c) => ({ path: c.path, kind: c.kind })),
      }), this.logger),

      layerDiff: (call: Writable<containerFiles.ContainerId, common.DataChunk>) => {
        this.stream(call, () => this.files.layerDiff(call.request.id), (data) => ({ data }), 'layer diff');
      },
    };
    return { definition: containerFiles.ContainerFilesService, implementation };
  }
}
