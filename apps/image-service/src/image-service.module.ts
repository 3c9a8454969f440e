import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { ImageGrpcController } from './grpc/image.grpc';
import type { EventSink } from '@berth/events';
import { ImageManager } from './images/image-manager';
import { ImageDb } from './store/image-db';
import { ContentStore } from './store/content-store';
import { LayerStore } from './store/layer-store';
import { LOGGER } from './tokens';
import { ContainerServiceUsage } from './containers/container-usage';
import { RegistryClient } from './registry';
import { Puller } from './pull/puller';
import { Pusher } from './pull/pusher';

@Module({})
export class ImageServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    const root = path.join(config.dataRoot, 'images');
    const db = new ImageDb(path.join(root, 'metadata.db'));
    const manager = new ImageManager(db, new ContentStore(root), new LayerStore(root), events, logger, new ContainerServiceUsage(config.services.container));
    const insecure = (process.env.BERTH_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const registry = new RegistryClient({ insecureRegistries: insecure });
    const concurrency = Number(process.env.BERTH_PULL_CONCURRENCY || 3);
    return {
      module: ImageServiceModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: ImageDb, useValue: db },
        { provide: ImageManager, useValue: manager },
        { provide: RegistryClient, useValue: registry },
        { provide: Puller, useValue: new Puller(manager, registry, concurrency) },
        { provide: Pusher, useValue: new Pusher(manager, registry) },
        ImageGrpcController,
      ],
    };
  }
}
