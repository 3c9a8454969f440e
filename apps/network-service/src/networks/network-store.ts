import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentBootId } from '@berth/host';
import { openDatabase, Db, Statement } from '@berth/storage';
import { AddressPlan, NetworkIpam, lowestFreeInPlan } from '../ipam/network-ipam';
import { contains, parseIpv4 } from '../ipam/ipv4';
import type { PortMap } from '../ports/port-publisher';

/** The networks every Engine has, with dockerd's names and drivers. */
export const PREDEFINED_NETWORKS = [
  { name: 'bridge', driver: 'bridge' },
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
] as const;

export type PredefinedNetwork = (typeof PREDEFINED_NETWORKS)[number]['name'];

export function isPredefined(name: string): name is PredefinedNetwork {
  return PREDEFINED_NETWORKS.some((n) => n.name === name);
}

/** What a user network was created with (stored as JSON: only this service reads it). */
export interface NetworkSpec {
  scope: string;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  enableIpv4: boolean;
  enableIpv6: boolean;
  ipamDriver: string;
  ipamOptions: Record<string, string>;
  /** Empty for host and none (and for the default bridge, whose subnet is configuration). */
  ipam: NetworkIpam[];
  options: Record<string, string>;
  labels: Record<string, string>;
  configOnly: boolean;
  configFrom: string;
  /** The Linux bridge; '' for host and none. */
  bridge: string;
}

export interface NetworkRecord extends NetworkSpec {
  name: string;
  /** 64 hex, generated once and kept: inspect and events show it. */
  id: string;
  driver: string;
  created: string;
}

/** One container's endpoint on one network, kept so Detach can undo it after a restart. */
export interface EndpointRecord {
  containerId: string;
  networkId: string;
  containerName: string;
  /** IPv4 as a number; undefined on host and none. */
  address?: number;
  macAddress: string;
  /** The host end of the veth pair; '' when there is none. */
  hostVeth: string;
  /** The interface inside the container: eth0, eth1, ... ('' on host and none). */
  ifName: string;
  endpointId: string;
  aliases: string[];
  links: string[];
  dnsNames: string[];
  /** IPAMConfig.IPv4Address as asked (--ip); '' when allocated. */
  requestedIpv4: string;
  driverOpts: Record<string, string>;
  gwPriority: number;
  /** The order endpoints were made in: the first non-internal one routes by default. */
  seq: number;
}

/** What a container's network namespace is for, whatever networks it is on. */
export interface SandboxRecord {
  containerId: string;
  containerName: string;
  hostname: string;
  /** '' with host networking. */
  netnsPath: string;
  sandboxId: string;
  /** HostConfig.Dns: the embedded DNS forwards to these. */
  dns: string[];
  hostNetwork: boolean;
  /** NetworkSettings.Ports as the port publisher answered. */
  ports: PortMap;
}

export class SubnetFullError extends Error {}
export class AddressInUseError extends Error {}
export class NetworkGoneError extends Error {}

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
  // Issue 10: user networks, and many endpoints per container keyed by (container, network id).
  `ALTER TABLE networks ADD COLUMN spec TEXT NOT NULL DEFAULT '{}';
   CREATE TABLE sandboxes (
     container_id TEXT PRIMARY KEY,
     container_name TEXT NOT NULL,
     hostname TEXT NOT NULL,
     netns_path TEXT NOT NULL,
     sandbox_id TEXT NOT NULL,
     dns TEXT NOT NULL,
     host_network INTEGER NOT NULL,
     ports TEXT NOT NULL DEFAULT '{}',
     boot_id TEXT NOT NULL
   );
   CREATE TABLE endpoints_v2 (
     container_id TEXT NOT NULL,
     network_id TEXT NOT NULL,
     container_name TEXT NOT NULL,
     address INTEGER,
     mac_address TEXT NOT NULL,
     host_veth TEXT NOT NULL,
     if_name TEXT NOT NULL,
     endpoint_id TEXT NOT NULL,
     config TEXT NOT NULL,
     seq INTEGER NOT NULL,
     boot_id TEXT NOT NULL,
     PRIMARY KEY (container_id, network_id)
   );
   INSERT INTO sandboxes (container_id, container_name, hostname, netns_path, sandbox_id, dns, host_network, boot_id)
     SELECT container_id, '', '', netns_path, sandbox_id, '[]', network = 'host', boot_id FROM endpoints;
   INSERT INTO endpoints_v2 (container_id, network_id, container_name, address, mac_address, host_veth, if_name, endpoint_id, config, seq, boot_id)
     SELECT e.container_id, n.id, '', e.address, e.mac_address, e.host_veth, CASE WHEN e.address IS NULL THEN '' ELSE 'eth0' END, e.endpoint_id, '{}', 0, e.boot_id
     FROM endpoints e JOIN networks n ON n.name = e.network;
   DROP TABLE endpoints;
   CREATE UNIQUE INDEX endpoints_v2_address ON endpoints_v2(network_id, address) WHERE address IS NOT NULL;
   CREATE INDEX endpoints_v2_network ON endpoints_v2(network_id);`,
];

interface NetworkRow { name: string; id: string; driver: string; created: string; spec: string }

interface EndpointRow {
  container_id: string;
  network_id: string;
  container_name: string;
  address: number | null;
  mac_address: string;
  host_veth: string;
  if_name: string;
  endpoint_id: string;
  config: string;
  seq: number;
  boot_id: string;
}

interface SandboxRow {
  container_id: string;
  container_name: string;
  hostname: string;
  netns_path: string;
  sandbox_id: string;
  dns: string;
  host_network: number;
  ports: string;
  boot_id: string;
}

type EndpointConfig = Pick<EndpointRecord, 'aliases' | 'links' | 'dnsNames' | 'requestedIpv4' | 'driverOpts' | 'gwPriority'>;

const EMPTY_SPEC: NetworkSpec = {
  scope: 'local', internal: false, attachable: false, ingress: false, enableIpv4: true, enableIpv6: false,
  ipamDriver: 'default', ipamOptions: {}, ipam: [], options: {}, labels: {}, configOnly: false, configFrom: '', bridge: '',
};

function networkFromRow(r: NetworkRow): NetworkRecord {
  const spec = { ...EMPTY_SPEC, ...(JSON.parse(r.spec) as Partial<NetworkSpec>) };
  return { ...spec, name: r.name, id: r.id, driver: r.driver, created: r.created };
}

function endpointFromRow(r: EndpointRow): EndpointRecord {
  const c = JSON.parse(r.config) as Partial<EndpointConfig>;
  return {
    containerId: r.container_id,
    networkId: r.network_id,
    containerName: r.container_name,
    address: r.address ?? undefined,
    macAddress: r.mac_address,
    hostVeth: r.host_veth,
    ifName: r.if_name,
    endpointId: r.endpoint_id,
    aliases: c.aliases ?? [],
    links: c.links ?? [],
    dnsNames: c.dnsNames ?? [],
    requestedIpv4: c.requestedIpv4 ?? '',
    driverOpts: c.driverOpts ?? {},
    gwPriority: c.gwPriority ?? 0,
    seq: r.seq,
  };
}

function sandboxFromRow(r: SandboxRow): SandboxRecord {
  return {
    containerId: r.container_id,
    containerName: r.container_name,
    hostname: r.hostname,
    netnsPath: r.netns_path,
    sandboxId: r.sandbox_id,
    dns: JSON.parse(r.dns) as string[],
    hostNetwork: r.host_network === 1,
    ports: JSON.parse(r.ports) as PortMap,
  };
}

export function randomId(): string {
  return crypto.randomBytes(32).toString('hex');
}

/** Docker's Created: RFC 3339 with nanoseconds. */
export function nanoTimestamp(date = new Date()): string {
  const nanos = String(process.hrtime.bigint() % 1_000_000n).padStart(6, '0');
  return date.toISOString().replace(/\.(\d{3})Z$/, `.$1${nanos}Z`);
}

/** What the allocator must know to place an endpoint: its network's addressing and an optional --ip. */
export interface AddressRequest {
  plan: AddressPlan;
  /** --ip, dotted; '' allocates. */
  requested: string;
}

/**
 * Networks, sandboxes and endpoints in `<data-root>/network/network.db`.
 * Each change is one BEGIN IMMEDIATE transaction, so concurrent requests and
 * replicas sharing the file take turns: two endpoints never get one address,
 * two networks never one name or overlapping subnets.
 */
export class NetworkStore {
  private readonly db: Db;
  private readonly bootId: string;
  private readonly stmt: Record<string, Statement>;
  /** Bumped by each change made through this store; with SQLite's data_version it tells readers when to look again. */
  private generation = 0;

  constructor(file: string, options: { bootId?: string } = {}) {
    this.bootId = options.bootId ?? currentBootId();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = openDatabase(file, MIGRATIONS);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmt = {
      network: p('SELECT * FROM networks WHERE name = ?'),
      networkById: p('SELECT * FROM networks WHERE id = ?'),
      networks: p('SELECT * FROM networks ORDER BY name'),
      count: p('SELECT COUNT(*) AS n FROM networks'),
      insertNetwork: p('INSERT OR IGNORE INTO networks (name, id, driver, created, spec) VALUES (?, ?, ?, ?, ?)'),
      insertUserNetwork: p('INSERT INTO networks (name, id, driver, created, spec) VALUES (?, ?, ?, ?, ?)'),
      deleteNetwork: p('DELETE FROM networks WHERE id = ?'),
      endpoint: p('SELECT * FROM endpoints_v2 WHERE container_id = ? AND network_id = ?'),
      endpointsOf: p('SELECT * FROM endpoints_v2 WHERE container_id = ? ORDER BY seq, network_id'),
      endpointsOn: p('SELECT * FROM endpoints_v2 WHERE network_id = ? ORDER BY container_name, container_id'),
      countOn: p('SELECT COUNT(*) AS n FROM endpoints_v2 WHERE network_id = ?'),
      endpointAt: p('SELECT * FROM endpoints_v2 WHERE address = ?'),
      endpoints: p('SELECT * FROM endpoints_v2 ORDER BY container_id, seq'),
      staleEndpoints: p('SELECT * FROM endpoints_v2 WHERE boot_id != ?'),
      addresses: p('SELECT address FROM endpoints_v2 WHERE network_id = ? AND address IS NOT NULL'),
      addressTaken: p('SELECT 1 FROM endpoints_v2 WHERE network_id = ? AND address = ?'),
      maxSeq: p('SELECT COALESCE(MAX(seq), -1) AS n FROM endpoints_v2 WHERE container_id = ?'),
      insertEndpoint: p(`INSERT INTO endpoints_v2 (container_id, network_id, container_name, address, mac_address, host_veth, if_name, endpoint_id, config, seq, boot_id)
                         VALUES (@containerId, @networkId, @containerName, @address, @macAddress, @hostVeth, @ifName, @endpointId, @config, @seq, @bootId)`),
      deleteEndpoint: p('DELETE FROM endpoints_v2 WHERE container_id = ? AND network_id = ?'),
      sandbox: p('SELECT * FROM sandboxes WHERE container_id = ?'),
      sandboxes: p('SELECT * FROM sandboxes'),
      staleSandboxes: p('SELECT * FROM sandboxes WHERE boot_id != ?'),
      upsertSandbox: p(`INSERT INTO sandboxes (container_id, container_name, hostname, netns_path, sandbox_id, dns, host_network, ports, boot_id)
                        VALUES (@containerId, @containerName, @hostname, @netnsPath, @sandboxId, @dns, @hostNetwork, @ports, @bootId)
                        ON CONFLICT(container_id) DO UPDATE SET container_name = excluded.container_name, hostname = excluded.hostname,
                          netns_path = excluded.netns_path, sandbox_id = excluded.sandbox_id, dns = excluded.dns,
                          host_network = excluded.host_network, ports = excluded.ports, boot_id = excluded.boot_id`),
      deleteSandbox: p('DELETE FROM sandboxes WHERE container_id = ?'),
    };
    // Replicas racing here keep whichever id was written first.
    this.immediate(() => {
      const created = nanoTimestamp();
      for (const n of PREDEFINED_NETWORKS) this.stmt.insertNetwork.run(n.name, randomId(), n.driver, created, '{}');
    });
  }

  private immediate<T>(fn: () => T): T {
    this.generation++;
    return this.db.transaction(fn).immediate();
  }

  /** Changes whenever anything was written, here or by another connection (a replica). */
  changeStamp(): string {
    // Asked once or twice per DNS query: a statement prepared once (db.pragma() prepares anew each call, 3x the cost).
    this.dataVersion ??= this.db.prepare('PRAGMA data_version').pluck();
    return `${this.generation}/${String(this.dataVersion.get())}`;
  }

  private dataVersion?: Statement;

  network(name: string): NetworkRecord | undefined {
    const row = this.stmt.network.get(name) as NetworkRow | undefined;
    return row ? networkFromRow(row) : undefined;
  }

  networkById(id: string): NetworkRecord | undefined {
    const row = this.stmt.networkById.get(id) as NetworkRow | undefined;
    return row ? networkFromRow(row) : undefined;
  }

  networks(): NetworkRecord[] {
    return (this.stmt.networks.all() as NetworkRow[]).map(networkFromRow);
  }

  countNetworks(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  /**
   * Records a user network in one transaction with its subnet choice: `place`
   * sees the networks already there (so a concurrent create cannot take an
   * overlapping subnet) and returns the IPAM to store, or throws.
   */
  createNetwork(base: Omit<NetworkRecord, 'ipam'>, place: (existing: NetworkRecord[]) => NetworkIpam[]): NetworkRecord {
    return this.immediate(() => {
      const record: NetworkRecord = { ...base, ipam: place(this.networks()) };
      const { name, id, driver, created, ...spec } = record;
      this.stmt.insertUserNetwork.run(name, id, driver, created, JSON.stringify(spec));
      return record;
    });
  }

  /** Deletes a network that has no endpoint left; false if it has some (or is gone). */
  removeNetwork(id: string): 'removed' | 'busy' | 'gone' {
    return this.immediate(() => {
      if ((this.stmt.countOn.get(id) as { n: number }).n > 0) return 'busy';
      return this.stmt.deleteNetwork.run(id).changes === 1 ? 'removed' : 'gone';
    });
  }

  endpointCount(networkId: string): number {
    return (this.stmt.countOn.get(networkId) as { n: number }).n;
  }

  endpoint(containerId: string, networkId: string): EndpointRecord | undefined {
    const row = this.stmt.endpoint.get(containerId, networkId) as EndpointRow | undefined;
    return row ? endpointFromRow(row) : undefined;
  }

  /** The container's endpoints in the order they were made. */
  endpointsOf(containerId: string): EndpointRecord[] {
    return (this.stmt.endpointsOf.all(containerId) as EndpointRow[]).map(endpointFromRow);
  }

  endpointsOn(networkId: string): EndpointRecord[] {
    return (this.stmt.endpointsOn.all(networkId) as EndpointRow[]).map(endpointFromRow);
  }

  /** Endpoints holding this IPv4 address (one per network whose subnet has it). */
  endpointsAt(address: number): EndpointRecord[] {
    return (this.stmt.endpointAt.all(address) as EndpointRow[]).map(endpointFromRow);
  }

  allEndpoints(): EndpointRecord[] {
    return (this.stmt.endpoints.all() as EndpointRow[]).map(endpointFromRow);
  }

  /** Endpoints recorded during an earlier boot of the host: their namespaces and veths died with it. */
  staleEndpoints(): EndpointRecord[] {
    return (this.stmt.staleEndpoints.all(this.bootId) as EndpointRow[]).map(endpointFromRow);
  }

  staleSandboxes(): SandboxRecord[] {
    return (this.stmt.staleSandboxes.all(this.bootId) as SandboxRow[]).map(sandboxFromRow);
  }

  sandbox(containerId: string): SandboxRecord | undefined {
    const row = this.stmt.sandbox.get(containerId) as SandboxRow | undefined;
    return row ? sandboxFromRow(row) : undefined;
  }

  sandboxes(): SandboxRecord[] {
    return (this.stmt.sandboxes.all() as SandboxRow[]).map(sandboxFromRow);
  }

  putSandbox(s: SandboxRecord): void {
    this.generation++;
    this.stmt.upsertSandbox.run({ ...s, dns: JSON.stringify(s.dns), ports: JSON.stringify(s.ports), hostNetwork: s.hostNetwork ? 1 : 0, bootId: this.bootId });
  }

  removeSandbox(containerId: string): void {
    this.generation++;
    this.stmt.deleteSandbox.run(containerId);
  }

  /**
   * Records the endpoint; with `addressing`, first takes the requested address
   * (AddressInUseError if another endpoint has it) or the lowest free one
   * (SubnetFullError when none is left). The interface name is the lowest
   * free ethN of the container, decided here so concurrent connects differ.
   */
  addEndpoint(
    endpoint: Omit<EndpointRecord, 'address' | 'seq' | 'ifName'> & { ifName?: string },
    addressing?: AddressRequest,
  ): EndpointRecord {
    return this.immediate(() => {
      // The network may have been removed since the caller looked it up.
      if (!this.stmt.networkById.get(endpoint.networkId)) throw new NetworkGoneError(`network ${endpoint.networkId} not found`);
      let address: number | undefined;
      if (addressing) {
        if (addressing.requested) {
          address = parseIpv4(addressing.requested);
          if (!contains(addressing.plan.subnet, address)) throw new SubnetFullError(`no configured subnet or ip-range contain the IP address ${addressing.requested}`);
          if (addressing.plan.reserved.includes(address) || this.stmt.addressTaken.get(endpoint.networkId, address)) throw new AddressInUseError('Address already in use');
        } else {
          const used = (this.stmt.addresses.all(endpoint.networkId) as { address: number }[]).map((r) => r.address);
          address = lowestFreeInPlan(addressing.plan, used);
          if (address === undefined) throw new SubnetFullError('no available IPv4 addresses on this network\'s address pools');
        }
      }
      const mine = this.endpointsOf(endpoint.containerId);
      let ifName = endpoint.ifName ?? '';
      if (endpoint.ifName === undefined) {
        const used = new Set(mine.map((e) => e.ifName));
        let i = 0;
        while (used.has(`eth${i}`)) i++;
        ifName = `eth${i}`;
      }
      const seq = (this.stmt.maxSeq.get(endpoint.containerId) as { n: number }).n + 1;
      const record: EndpointRecord = { ...endpoint, ifName, address, seq };
      const config: EndpointConfig = {
        aliases: record.aliases, links: record.links, dnsNames: record.dnsNames,
        requestedIpv4: record.requestedIpv4, driverOpts: record.driverOpts, gwPriority: record.gwPriority,
      };
      this.stmt.insertEndpoint.run({
        containerId: record.containerId, networkId: record.networkId, containerName: record.containerName,
        address: address ?? null, macAddress: record.macAddress, hostVeth: record.hostVeth, ifName,
        endpointId: record.endpointId, config: JSON.stringify(config), seq, bootId: this.bootId,
      });
      return record;
    });
  }

  /** Releases the endpoint and its address; false when there was none. */
  removeEndpoint(containerId: string, networkId: string): boolean {
    this.generation++;
    return this.stmt.deleteEndpoint.run(containerId, networkId).changes === 1;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Nest's shutdown hook: the service closes its database last. */
  onApplicationShutdown(): void {
    this.close();
  }
}

