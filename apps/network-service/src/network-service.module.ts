import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import type { EventSink } from '@berth/events';
import { loadNetworkConfig, NetworkConfig } from './config/network-config';
import { NetworkGrpcController } from './grpc/network.grpc';
import { NetworkManager } from './networks/network-manager';
import { NetworkStore } from './networks/network-store';
import { DefaultBridge } from './wiring/bridge';
import { NetnsDirectory } from './wiring/netns';
import { CONFIG, EVENTS, LOGGER } from './tokens';

const NETWORK_CONFIG = Symbol('NetworkConfig');

/** network-service's graph, built by Nest's injector from the inputs main.ts gives it. */
@Module({})
export class NetworkServiceModule {
  static forRoot(config: BerthConfig, logger: Logger, events: EventSink): DynamicModule {
    return {
      module: NetworkServiceModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: EVENTS, useValue: events },
        { provide: NETWORK_CONFIG, inject: [CONFIG], useFactory: (c: BerthConfig) => loadNetworkConfig(c.runRoot, c.dataRoot) },
        { provide: NetworkStore, inject: [NETWORK_CONFIG], useFactory: (n: NetworkConfig) => new NetworkStore(path.join(n.stateDir, 'network.db')) },
        {
          provide: NetworkManager,
          inject: [NetworkStore, NETWORK_CONFIG, LOGGER, EVENTS],
          useFactory: (store: NetworkStore, n: NetworkConfig, log: Logger, sink: EventSink) =>
            new NetworkManager(store, new NetnsDirectory(n.netnsDir), new DefaultBridge(n.bridgeName, n.subnet), log, '/etc/resolv.conf', sink),
        },
        NetworkGrpcController,
      ],
    };
  }
}
