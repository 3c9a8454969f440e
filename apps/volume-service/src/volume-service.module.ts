import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import type { EventSink } from '@berth/events';
import { VolumeGrpcController } from './grpc/volume.grpc';
import { LocalDriver } from './volumes/local-driver';
import { VolumeManager } from './volumes/volume-manager';
import { VolumeStore } from './volumes/volume-store';
import { CONFIG, EVENTS, LOGGER } from './tokens';

const volumesRoot = (c: BerthConfig) => path.join(c.dataRoot, 'volumes');

/** volume-service's graph, built by Nest's injector from the inputs main.ts gives it. */
@Module({})
export class VolumeServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    return {
      module: VolumeServiceModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: EVENTS, useValue: events },
        { provide: LocalDriver, inject: [CONFIG], useFactory: (c: BerthConfig) => new LocalDriver(volumesRoot(c)) },
        // Injecting the driver makes it first: it makes the root 0701 before the store's database lands in it.
        { provide: VolumeStore, inject: [CONFIG, LocalDriver], useFactory: (c: BerthConfig) => new VolumeStore(path.join(volumesRoot(c), 'metadata.db')) },
        {
          provide: VolumeManager,
          inject: [VolumeStore, LocalDriver, EVENTS, LOGGER],
          useFactory: (store: VolumeStore, driver: LocalDriver, sink: EventSink, log: Logger) => new VolumeManager(store, driver, sink, log),
        },
        VolumeGrpcController,
      ],
    };
  }
}
