import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { VolumeGrpcController } from './grpc/volume.grpc';
import type { EventSink } from '@berth/events';
import { LocalDriver } from './volumes/local-driver';
import { VolumeManager } from './volumes/volume-manager';
import { VolumeStore } from './volumes/volume-store';
import { LOGGER } from './tokens';

@Module({})
export class VolumeServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    const root = path.join(config.dataRoot, 'volumes');
    // The driver first: it makes the root 0701 before the store's database lands in it.
    const driver = new LocalDriver(root);
    const store = new VolumeStore(path.join(root, 'metadata.db'));
    return {
      module: VolumeServiceModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: VolumeStore, useValue: store },
        { provide: VolumeManager, useValue: new VolumeManager(store, driver, events, logger) },
        VolumeGrpcController,
      ],
    };
  }
}
