import * as path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import type { BerthConfig } from '@berth/config';
import type { Logger } from '@berth/logging';
import type { EventSink } from '@berth/events';
import { loadNetworkConfig, NetworkConfig } from './config/network-config';
import { EmbeddedDns } from './dns/embedded-dns';
import type { DnsListeners, DnsNameSource } from './dns/name-source';
import { IptablesPortPublisher } from './ports/iptables-port-publisher';
import type { PortPublisher } from './ports/port-publisher';
import { NetworkGrpcController } from './grpc/network.grpc';
import { BridgeNetworks } from './networks/bridge-networks';
import { NetworkCatalog } from './networks/network-catalog';
import { NetworkManager } from './networks/network-manager';
import { NetworkStore } from './networks/network-store';
import { StoreNameSource } from './networks/store-name-source';
import { DefaultBridge } from './wiring/bridge';
import { Firewall } from './wiring/firewall';
import { NetnsDirectory } from './wiring/netns';
import { CONFIG, DNS_LISTENERS, EVENTS, LOGGER, PORT_PUBLISHER } from './tokens';

const NETWORK_CONFIG = Symbol('NetworkConfig');
const NAME_SOURCE = Symbol('DnsNameSource');

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
        { provide: NAME_SOURCE, inject: [NetworkStore], useFactory: (store: NetworkStore) => new StoreNameSource(store) },
        {
          provide: DNS_LISTENERS,
          inject: [NAME_SOURCE, LOGGER, NetworkStore],
          // generation: the store's change stamp, so the server may memoise answers between changes.
          useFactory: (source: DnsNameSource, log: Logger, store: NetworkStore) => new EmbeddedDns(source, log, { generation: () => store.changeStamp() }),
        },
        {
          provide: PORT_PUBLISHER,
          inject: [NETWORK_CONFIG, LOGGER],
          useFactory: (n: NetworkConfig, log: Logger) => new IptablesPortPublisher({ stateDir: n.stateDir, tag: n.bridgeName, logger: log }),
        },
        {
          provide: BridgeNetworks,
          inject: [NETWORK_CONFIG, DNS_LISTENERS, LOGGER],
          useFactory: (n: NetworkConfig, dns: DnsListeners, log: Logger) =>
            new BridgeNetworks(new DefaultBridge(n.bridgeName, n.subnet, new Firewall(n.bridgeName)), dns, log),
        },
        {
          provide: NetworkManager,
          inject: [NetworkStore, NETWORK_CONFIG, BridgeNetworks, LOGGER, EVENTS, PORT_PUBLISHER],
          useFactory: (store: NetworkStore, n: NetworkConfig, bridges: BridgeNetworks, log: Logger, sink: EventSink, ports: PortPublisher) =>
            new NetworkManager(store, new NetnsDirectory(n.netnsDir), bridges, log, '/etc/resolv.conf', sink, ports),
        },
        {
          provide: NetworkCatalog,
          inject: [NetworkStore, NETWORK_CONFIG, BridgeNetworks, EVENTS, LOGGER],
          useFactory: (store: NetworkStore, n: NetworkConfig, bridges: BridgeNetworks, sink: EventSink, log: Logger) =>
            new NetworkCatalog(store, bridges, n.addressPools, sink, log),
        },
        NetworkGrpcController,
      ],
    };
  }
}
