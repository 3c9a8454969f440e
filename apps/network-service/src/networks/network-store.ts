import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentBootId } from '@berth/host';
import { openDatabase, Db, Statement } from '@berth/storage';
import { lowestFreeAddress } from '../ipam/address-pool';
import type { Ipv4Subnet } from '../ipam/ipv4';

/** The networks every Engine has, with dockerd's names and drivers. */
export const PREDEFINED_NETWORKS = [
  { name: 'bridge', driver: 'bridge' },
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
] as const;

export type PredefinedNetwork = (typeof PREDEFINED_NETWORKS)[number]['name'];

export interface NetworkRecord {
  name: string;
  /** 64 hex, generated once and kept: inspect and events show it. */
  id: string;
  driver: string;
  created: string;
}

/** What Attach made for one container, kept so Detach can undo it after a restart. */
export interface EndpointRecord {
  containerId: string;
  network: PredefinedNetwork;
  /** IPv4 as a number; undefined on host and none. */
  address?: number;
  macAddress: string;
  /** The host end of the veth pair; '' when there is none. */
  hostVeth: string;
  /** '' with host networking. */
  netnsPath: string;
  sandboxId: string;
  endpointId: string;
}

export class SubnetFullError extends Error {}

const MIGRATIONS = [
  `CREATE TABLE networks (
     name TEXT PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     driver TEXT NOT NULL,
     created TEXT NOT NULL
   );
   CREATE TABLE endpoints (
     container_id TEXT PRIMARY KEY,
     network TEXT NOT NULL,
     address INTEGER,
     mac_address TEXT NOT NULL,
     host_veth TEXT NOT NULL,
     netns_path TEXT NOT NULL,
     sandbox_id TEXT NOT NULL,
     endpoint_id TEXT NOT NULL,
     boot_id TEXT NOT NULL
   );
   -- The database, not the allocator's care, is what makes a duplicate address impossible.
   CREATE UNIQUE INDEX endpoints_address ON endpoints(network, address) WHERE address IS NOT NULL;`,
];

interface EndpointRow {
  container_id: string;
  network: string;
  address: number | null;
  mac_address: string;
  host_veth: string;
  netns_path: string;
  sandbox_id: string;
  endpoint_id: string;
  boot_id: string;
}

function fromRow(r: EndpointRow): EndpointRecord {
  return {
    containerId: r.container_id,
    network: r.network as PredefinedNetwork,
    address: r.address ?? undefined,
    macAddress: r.mac_address,
    hostVeth: r.host_veth,
    netnsPath: r.netns_path,
    sandboxId: r.sandbox_id,
    endpointId: r.endpoint_id,
  };
}


export function randomId(): string {
  return crypto.randomBytes(32).toString('hex');
}

/**
 * Networks and endpoints in `<data-root>/network/network.db`. Each change is
 * one BEGIN IMMEDIATE transaction, so concurrent requests and replicas
 * sharing the file take turns: two containers never get one address.
 */
export class NetworkStore {
  private readonly db: Db;
  private readonly bootId: string;
  private readonly stmt: Record<'network' | 'networks' | 'count' | 'insertNetwork' | 'endpoint' | 'endpoints' | 'addresses' | 'insertEndpoint' | 'deleteEndpoint', Statement>;

  constructor(file: string, options: { bootId?: string } = {}) {
    this.bootId = options.bootId ?? currentBootId();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = openDatabase(file, MIGRATIONS);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmt = {
      network: p('SELECT * FROM networks WHERE name = ?'),
      networks: p('SELECT * FROM networks ORDER BY name'),
      count: p('SELECT COUNT(*) AS n FROM networks'),
      insertNetwork: p('INSERT OR IGNORE INTO networks (name, id, driver, created) VALUES (?, ?, ?, ?)'),
      endpoint: p('SELECT * FROM endpoints WHERE container_id = ?'),
      endpoints: p('SELECT * FROM endpoints ORDER BY container_id'),
      addresses: p('SELECT address FROM endpoints WHERE network = ? AND address IS NOT NULL'),
      insertEndpoint: p(`INSERT INTO endpoints (container_id, network, address, mac_address, host_veth, netns_path, sandbox_id, endpoint_id, boot_id)
                         VALUES (@containerId, @network, @address, @macAddress, @hostVeth, @netnsPath, @sandboxId, @endpointId, @bootId)`),
      deleteEndpoint: p('DELETE FROM endpoints WHERE container_id = ?'),
    };
    // Replicas racing here keep whichever id was written first.
    this.immediate(() => {
      const created = new Date().toISOString();
      for (const n of PREDEFINED_NETWORKS) this.stmt.insertNetwork.run(n.name, randomId(), n.driver, created);
    });
  }

  private immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  network(name: string): NetworkRecord | undefined {
    return this.stmt.network.get(name) as NetworkRecord | undefined;
  }

  networks(): NetworkRecord[] {
    return this.stmt.networks.all() as NetworkRecord[];
  }

  countNetworks(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  endpoint(containerId: string): EndpointRecord | undefined {
    const row = this.stmt.endpoint.get(containerId) as EndpointRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Endpoints recorded during an earlier boot of the host: their namespaces and veths died with it. */
  staleEndpoints(): EndpointRecord[] {
    return (this.stmt.endpoints.all() as EndpointRow[]).filter((r) => r.boot_id !== this.bootId).map(fromRow);
  }

  /**
   * Records the container's endpoint; with `subnet`, first takes the lowest
   * free address of it. Throws SubnetFullError when none is left, and a
   * SQLite constraint error if the container already has an endpoint.
   */
  addEndpoint(endpoint: Omit<EndpointRecord, 'address'>, subnet?: Ipv4Subnet): EndpointRecord {
    return this.immediate(() => {
      let address: number | undefined;
      if (subnet) {
        const used = (this.stmt.addresses.all(endpoint.network) as { address: number }[]).map((r) => r.address);
        address = lowestFreeAddress(subnet, used);
        if (address === undefined) throw new SubnetFullError('no available IPv4 addresses on this network\'s address pools');
      }
      const record = { ...endpoint, address };
      this.stmt.insertEndpoint.run({ ...record, address: address ?? null, bootId: this.bootId });
      return record;
    });
  }

  /** Releases the endpoint and its address; false when there was none. */
  removeEndpoint(containerId: string): boolean {
    return this.stmt.deleteEndpoint.run(containerId).changes === 1;
  }

  close(): void {
    this.db.close();
  }

  /** Nest's shutdown hook: the service closes its database last. */
  onApplicationShutdown(): void {
    this.close();
  }
}
