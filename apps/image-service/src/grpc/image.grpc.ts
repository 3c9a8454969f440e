import { Inject, Injectable } from '@nestjs/common';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ServerDuplexStream, ServerReadableStream, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import * as tar from 'tar-stream';
import { common, image } from '@berth/proto';
import { ServiceBinding, toStatusObject, unary } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { ImageManager, ImageView } from '../images/image-manager';
import { ImageLeases } from '../images/image-leases';
import { hostPlatform } from '../images/platform';
import { SpooledArchive } from '../archive/spool';
import { loadArchive } from '../archive/load';
import { saveImages } from '../archive/save';
import { importRootfs } from '../archive/import';
import { LOGGER } from '../tokens';
import { splitSearchTerm } from '@berth/reference';
import { RegistryClient, isRegistryError } from '../registry';
import { decodeRegistryAuth } from '../pull/puller';
import { namedRef } from '../images/names';
import { RpcError } from '@berth/rpc';

/** Registry failures keep their wording; their kind picks the status. */
export function registryRpcError(err: unknown): unknown {
  if (!isRegistryError(err)) return err;
  switch (err.kind) {
    case 'not-found': return RpcError.notFound(err.message);
    case 'unauthorized': return RpcError.unauthenticated(err.message);
    case 'denied': return RpcError.permissionDenied(err.message);
    case 'invalid': return RpcError.invalidArgument(err.message);
    default: return RpcError.internal(err.message);
  }
}

function splitTerm(term: string): { host: string; term: string } {
  const s = splitSearchTerm(term);
  return { host: s.registryHost, term: s.term };
}

function toProto(v: ImageView): image.Image {
  return {
    id: v.record.id,
    repoTags: v.repoTags,
    repoDigests: v.repoDigests,
    parent: v.record.parent,
    configJson: v.record.config,
    size: v.record.size,
    created: v.record.created,
    containers: -1,
    lastTagTime: v.record.lastTagTime,
    layers: v.layers.map((l) => ({ diffId: l.diffId, chainId: l.chainId, size: l.size, path: '' })),
  };
}

function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return JSON.stringify({ errorDetail: { message }, error: message });
}

/** The ImageService contract; logic lives in ImageManager and archive/. */
@Injectable()
export class ImageGrpcController {
  constructor(
    private readonly images: ImageManager,
    private readonly leases: ImageLeases,
    private readonly registry: RegistryClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  binding(): ServiceBinding {
    const m = this.images;
    const l = this.logger;
    const implementation: image.ImageServiceServer = {
      list: unary(async (req: image.ListImagesRequest) => ({ images: m.list(req.filters, req.all).map(toProto) }), l),
      inspect: unary(async (req: image.ImageName) => toProto(m.inspect(req.name)), l),
      acquireImage: unary(async (req: image.AcquireImageRequest) => {
        const v = this.leases.acquire(req.name, req.leaseId, req.active, req.platform);
        return { ...toProto(v), layers: v.layers.map((x) => ({ diffId: x.diffId, chainId: x.chainId, size: x.size, path: m.layers.dir(x.chainId) })) };
      }, l),
      releaseLease: unary(async (req: image.LeaseRef) => { await this.leases.release(req.leaseId); return {}; }, l),
      setLeaseActive: unary(async (req: image.SetLeaseActiveRequest) => { this.leases.setActive(req.leaseId, req.active); return {}; }, l),
      reconcileLeases: unary(async (req: image.ReconcileLeasesRequest) => this.leases.reconcile(req.prefix, req.leases.map((x) => ({ leaseId: x.leaseId, imageId: x.imageId, active: x.active }))), l),
      history: unary(async (req: image.ImageName) => ({ entries: m.history(req.name) }), l),
      tag: unary(async (req: image.TagRequest) => { m.tag(req.source, req.repo, req.tag); return {}; }, l),
      remove: unary(async (req: image.RemoveImageRequest) => ({ items: await m.remove(req.name, req.force, req.noPrune) }), l),
      prune: unary(async (req: image.PruneImagesRequest) => {
        const res = await m.prune(req.filters);
        return { items: res.items, spaceReclaimed: res.reclaimed };
      }, l),
      summary: unary(async () => ({ images: m.count() }), l),
      login: unary(async (req: image.LoginRequest) => {
        const res = await this.registry.login(req.serverAddress, {
          username: req.username || undefined, password: req.password || undefined,
          identitytoken: req.identityToken || undefined, serveraddress: req.serverAddress,
        }).catch((err: unknown) => { throw registryRpcError(err); });
        return { status: res.status, identityToken: res.identityToken ?? '' };
      }, l),
      search: unary(async (req: image.SearchRequest) => {
        const { host, term } = splitTerm(req.term);
        const results = await this.registry.search(host, term, req.limit || 25, decodeRegistryAuth(req.registryAuth))
          .catch((err: unknown) => { throw registryRpcError(err); });
        return { results: results.map((r) => ({ name: r.name, description: r.description, starCount: r.star_count, isOfficial: r.is_official, isAutomated: r.is_automated })) };
      }, l),
      distributionInspect: unary(async (req: image.DistributionRequest) => {
        const named = namedRef(req.name);
        const reference = named.ref.digest ?? named.ref.tag ?? 'latest';
        const resolved = await this.registry.resolve({ domain: named.ref.domain, path: named.ref.path }, reference, hostPlatform(), decodeRegistryAuth(req.registryAuth))
          .catch((err: unknown) => { throw registryRpcError(err); });
        const digest = resolved.indexDigest ?? resolved.digest;
        return {
          descriptorJson: JSON.stringify({ mediaType: resolved.mediaType, digest, size: resolved.raw.length }),
          platformsJson: JSON.stringify([{ architecture: hostPlatform().architecture, os: 'linux' }]),
        };
      }, l),
      load: (call: ServerDuplexStream<common.DataChunk, image.ProgressMessage>) => {
        const input = new PassThrough();
        call.on('data', (chunk: common.DataChunk) => { if (!input.write(chunk.data)) call.pause(); });
        input.on('drain', () => call.resume());
        call.on('end', () => input.end());
        call.on('error', (err) => input.destroy(err));
        const dir = m.content.tempPath('load');
        void (async () => {
          let archive: SpooledArchive | undefined;
          const lease = this.leases.startJob('load');
          try {
            archive = await SpooledArchive.from(input, dir);
            await loadArchive(m, lease, archive, (line) => call.write({ json: JSON.stringify(line) }));
          } catch (err) {
            l.warn('load failed', { error: err instanceof Error ? err.message : String(err) });
            input.resume();
            call.write({ json: errorLine(err) });
          } finally {
            await lease.release().catch((err: unknown) => l.warn('load lease not released', { error: String(err) }));
            archive?.remove();
            if (!archive) SpooledArchive.discard(dir);
            call.end();
          }
        })();
      },
      save: (call: ServerWritableStream<image.SaveRequest, common.DataChunk>) => {
        const pack = tar.pack();
        void (async () => {
          try {
            for (const name of call.request.names) m.inspect(name);
            const writing = saveImages(m, call.request.names, pack);
            const sending = (async () => {
              for await (const data of pack as AsyncIterable<Buffer>) if (!call.write({ data })) await once(call, 'drain');
              call.end();
            })();
            await Promise.all([writing, sending]);
          } catch (err) {
            pack.destroy();
            call.emit('error', toStatusObject(err));
          }
        })();
      },
      import: (call: ServerReadableStream<image.ImportRequest, image.ImportResponse>, callback: sendUnaryData<image.ImportResponse>) => {
        const input = new PassThrough();
        let options: image.ImportOptions | undefined;
        let ready: (o: image.ImportOptions) => void = () => undefined;
        const gotOptions = new Promise<image.ImportOptions>((resolve) => { ready = resolve; });
        call.on('data', (msg: image.ImportRequest) => {
          if (msg.part?.$case === 'options') { options = msg.part.options; ready(options); }
          else if (msg.part?.$case === 'data' && !input.write(msg.part.data)) call.pause();
        });
        input.on('drain', () => call.resume());
        call.on('end', () => { input.end(); ready(options ?? { repo: '', tag: '', changes: [], message: '', platform: '' }); });
        call.on('error', (err) => input.destroy(err));
        void (async () => {
          const lease = this.leases.startJob('import');
          try {
            const id = await importRootfs(m, lease, input, await gotOptions);
            callback(null, { id });
          } catch (err) {
            input.resume();
            callback(toStatusObject(err));
          } finally {
            await lease.release().catch((err: unknown) => l.warn('import lease not released', { error: String(err) }));
          }
        })();
      },
    };
    return { definition: image.ImageServiceService, implementation };
  }
}
