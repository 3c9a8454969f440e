import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from '@berth/logging';
import type { EventSink } from '@berth/events';
import type { NetworkConfig } from './config/network-config';
import { NetworkGrpcController } from './grpc/network.grpc';
import { NetworkManager } from './networks/network-manager';
import { NetworkStore } from './networks/network-store';
import { DefaultBridge } from './wiring/bridge';
import { NetnsDirectory } from './wiring/netns';
import { LOGGER } from './tokens';

@Module({})
export class NetworkServiceModule {
  static forRoot(config: NetworkConfig, logger: Logger, events: EventSink): DynamicModule {
    const store = new NetworkStore(path.join(config.stateDir, 'network.db'));
    const manager = new NetworkManager(store, new NetnsDirectory(config.netnsDir), new DefaultBridge(config.bridgeName, config.subnet), logger, '/etc/resolv.conf', events);
    return {
      module: NetworkServiceModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: NetworkStore, useValue: store },
        { provide: NetworkManager, useValue: manager },
        NetworkGrpcController,
      ],
    };
  }
}
