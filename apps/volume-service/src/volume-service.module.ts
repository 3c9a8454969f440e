import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import { VolumeGrpcController } from './grpc/volume.grpc';
import { EventSink, VolumeManager } from './volumes/volume-manager';
import { VolumeStore } from './volumes/volume-store';
import { LocalDriver } from './volumes/local-driver';
import { LOGGER } from './tokens';

@Module({})
export class VolumeServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    const root = path.join(config.dataRoot, 'volumes');
    const store = new VolumeStore(path.join(root, 'metadata.db'));
    return {
      module: VolumeServiceModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: VolumeStore, useValue: store },
        { provide: VolumeManager, useValue: new VolumeManager(store, new LocalDriver(root), events, logger) },
        VolumeGrpcController,
      ],
    };
  }
}
