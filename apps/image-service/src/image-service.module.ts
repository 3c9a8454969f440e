import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import type { EventSink } from '@berth/events';
import { ImageGrpcController } from './grpc/image.grpc';
import { ImageManager } from './images/image-manager';
import { ImageLeases } from './images/image-leases';
import { ImageDb } from './store/image-db';
import { ContentStore } from './store/content-store';
import { LayerStore } from './store/layer-store';
import { CONFIG, EVENTS, LOGGER } from './tokens';
import { RegistryClient } from './registry';
import { Puller } from './pull/puller';
import { Pusher } from './pull/pusher';
import { JobWorkers } from './jobs/job-workers';

const storeRoot = (config: BerthConfig) => path.join(config.dataRoot, 'images');

/**
 * image-service's graph, built by Nest's injector from the three inputs
 * main.ts gives it. It depends on no other service.
 */
@Module({})
export class ImageServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    return {
      module: ImageServiceModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: EVENTS, useValue: events },
        { provide: ImageDb, inject: [CONFIG], useFactory: (c: BerthConfig) => new ImageDb(path.join(storeRoot(c), 'metadata.db')) },
        { provide: ContentStore, inject: [CONFIG], useFactory: (c: BerthConfig) => new ContentStore(storeRoot(c)) },
        { provide: LayerStore, inject: [CONFIG], useFactory: (c: BerthConfig) => new LayerStore(storeRoot(c)) },
        {
          provide: ImageManager,
          inject: [ImageDb, ContentStore, LayerStore, EVENTS, LOGGER],
          useFactory: (db: ImageDb, content: ContentStore, layers: LayerStore, sink: EventSink, log: Logger) => new ImageManager(db, content, layers, sink, log),
        },
        { provide: ImageLeases, inject: [ImageManager, LOGGER], useFactory: (m: ImageManager, log: Logger) => new ImageLeases(m, log.child({ part: 'leases' })) },
        {
          provide: RegistryClient,
          useFactory: () => new RegistryClient({ insecureRegistries: (process.env.BERTH_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean) }),
        },
        {
          provide: Puller,
          inject: [ImageManager, ImageLeases, RegistryClient],
          useFactory: (m: ImageManager, leases: ImageLeases, r: RegistryClient) => new Puller(m, leases, r, Number(process.env.BERTH_PULL_CONCURRENCY || 3)),
        },
        { provide: Pusher, inject: [ImageManager, RegistryClient], useFactory: (m: ImageManager, r: RegistryClient) => new Pusher(m, r) },
        {
          provide: JobWorkers,
          inject: [CONFIG, Puller, Pusher, LOGGER],
          useFactory: (c: BerthConfig, puller: Puller, pusher: Pusher, log: Logger) => new JobWorkers(c, puller, pusher, log),
        },
        ImageGrpcController,
      ],
    };
  }
}
