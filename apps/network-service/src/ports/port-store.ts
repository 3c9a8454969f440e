import { openDatabase, type Db } from '@berth/storage';
import { formatHostAddress, ipFamily, isWildcard, type PlannedBinding, type PortRange, type Proto } from './port-spec';

/** One host address and port held for one container port. */
export interface PortMappingRow {
  containerId: string;
  /** Order within the container's publish, so the PortMap lists addresses as asked. */
  seq: number;
  key: string;
  proto: Proto;
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  bridge: string;
  /** The host port was picked (ephemeral or from a range), so another may be tried if the host holds it. */
  flexible: boolean;
}

/** A requested host port another mapping already holds: dockerd's "port is already allocated". */
export class PortAllocatedError extends Error {
  constructor(readonly address: string) {
    super(`Bind for ${address} failed: port is already allocated`);
    this.name = 'PortAllocatedError';
  }
}

export interface AllocateOptions {
  /** "proto/port" pairs to skip when picking (the host refused them on an earlier try). */
  excluded: ReadonlySet<string>;
  /** Ports some process on the host already uses, per protocol (only a hint for picking). */
  hostUsed: (proto: Proto) => ReadonlySet<number>;
  /** The ephemeral range (/proc/sys/net/ipv4/ip_local_port_range). */
  ephemeral: PortRange;
}

const MIGRATIONS = [
  `CREATE TABLE mappings (
     container_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     key TEXT NOT NULL,
     proto TEXT NOT NULL,
     host_ip TEXT NOT NULL,
     host_port INTEGER NOT NULL,
     container_ip TEXT NOT NULL,
     container_port INTEGER NOT NULL,
     bridge TEXT NOT NULL,
     flexible INTEGER NOT NULL,
     PRIMARY KEY (container_id, seq)
   );
   CREATE INDEX mappings_port ON mappings (proto, host_port);`,
  // Where the last ephemeral pick landed, per protocol: the next search starts after it (as dockerd's allocator), so a port just given back is not handed out again at once.
  `CREATE TABLE ephemeral_cursor (proto TEXT PRIMARY KEY, last INTEGER NOT NULL);`,
];

interface DbRow {
  container_id: string; seq: number; key: string; proto: Proto; host_ip: string; host_port: number;
  container_ip: string; container_port: number; bridge: string; flexible: number;
}

function fromDb(r: DbRow): PortMappingRow {
  return {
    containerId: r.container_id, seq: r.seq, key: r.key, proto: r.proto, hostIp: r.host_ip, hostPort: r.host_port,
    containerIp: r.container_ip, containerPort: r.container_port, bridge: r.bridge, flexible: r.flexible === 1,
  };
}

/** Two addresses of one family clash when equal or when either is the wildcard; IPv4 and IPv6 never do (v6 sockets are v6-only). */
export function addressesOverlap(a: string, b: string): boolean {
  if (ipFamily(a) !== ipFamily(b)) return false;
  return a === b || isWildcard(a) || isWildcard(b);
}

/**
 * Which host ports are held, in `<stateDir>/ports.db`: one immediate
 * transaction per allocation, so concurrent publishes (in this process or in
 * another publisher on the same file) and restarts never hand out one
 * proto/port twice on overlapping addresses.
 */
export class PortStore {
  private readonly db: Db;

  constructor(file: string) {
    this.db = openDatabase(file, MIGRATIONS);
  }

  /**
   * Picks a host port for every planned binding and records them for the
   * container, all or none: a fixed port already held throws
   * PortAllocatedError and records nothing. Any earlier rows of the container
   * are replaced.
   */
  allocate(containerId: string, containerIp: string, bridge: string, plan: PlannedBinding[], opts: AllocateOptions): PortMappingRow[] {
    const run = this.db.transaction((): PortMappingRow[] => {
      this.db.prepare('DELETE FROM mappings WHERE container_id = ?').run(containerId);
      const holders = this.db.prepare('SELECT host_ip FROM mappings WHERE proto = ? AND host_port = ?');
      const insert = this.db.prepare(`INSERT INTO mappings (container_id, seq, key, proto, host_ip, host_port, container_ip, container_port, bridge, flexible)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const isFree = (proto: Proto, port: number, ips: string[]): boolean => {
        const taken = (holders.all(proto, port) as { host_ip: string }[]).map((r) => r.host_ip);
        return ips.every((ip) => taken.every((t) => !addressesOverlap(ip, t)));
      };
      const rows: PortMappingRow[] = [];
      let seq = 0;
      for (const p of plan) {
        const port = this.pick(p, opts, isFree);
        for (const ip of p.hostIps) {
          const row: PortMappingRow = {
            containerId, seq: seq++, key: p.key, proto: p.proto, hostIp: ip, hostPort: port,
            containerIp, containerPort: p.containerPort, bridge, flexible: p.hostPorts === null || p.hostPorts.start !== p.hostPorts.end,
          };
          insert.run(containerId, row.seq, row.key, row.proto, row.hostIp, row.hostPort, row.containerIp, row.containerPort, row.bridge, row.flexible ? 1 : 0);
          rows.push(row);
        }
      }
      return rows;
    });
    return run.immediate();
  }

  private pick(p: PlannedBinding, opts: AllocateOptions, isFree: (proto: Proto, port: number, ips: string[]) => boolean): number {
    const usable = (port: number, hintHost: boolean): boolean =>
      !opts.excluded.has(`${p.proto}/${port}`) && (!hintHost || !opts.hostUsed(p.proto).has(port)) && isFree(p.proto, port, p.hostIps);
    if (p.hostPorts && p.hostPorts.start === p.hostPorts.end) {
      // A fixed port: only Berth's own records refuse it here; the host refuses it when the port is bound.
      if (!usable(p.hostPorts.start, false)) throw new PortAllocatedError(formatHostAddress(p.hostIps[0], p.hostPorts.start));
      return p.hostPorts.start;
    }
    if (p.hostPorts) {
      // A range: the first port free in it, as dockerd.
      for (let port = p.hostPorts.start; port <= p.hostPorts.end; port++) if (usable(port, true)) return port;
      throw new PortAllocatedError(formatHostAddress(p.hostIps[0], `${p.hostPorts.start}-${p.hostPorts.end}`));
    }
    const { start, end } = opts.ephemeral;
    const size = end - start + 1;
    const cursor = this.db.prepare('SELECT last FROM ephemeral_cursor WHERE proto = ?').get(p.proto) as { last: number } | undefined;
    const offset = cursor && cursor.last >= start && cursor.last < end ? cursor.last + 1 - start : 0;
    for (let i = 0; i < size; i++) {
      const port = start + ((offset + i) % size);
      if (!usable(port, true)) continue;
      this.db.prepare('INSERT INTO ephemeral_cursor (proto, last) VALUES (?, ?) ON CONFLICT (proto) DO UPDATE SET last = excluded.last').run(p.proto, port);
      return port;
    }
    throw new PortAllocatedError(formatHostAddress(p.hostIps[0], `${start}-${end}`));
  }

  /** The container's rows in publish order. */
  rowsOf(containerId: string): PortMappingRow[] {
    return (this.db.prepare('SELECT * FROM mappings WHERE container_id = ? ORDER BY seq').all(containerId) as DbRow[]).map(fromDb);
  }

  all(): PortMappingRow[] {
    return (this.db.prepare('SELECT * FROM mappings ORDER BY container_id, seq').all() as DbRow[]).map(fromDb);
  }

  release(containerId: string): void {
    this.db.prepare('DELETE FROM mappings WHERE container_id = ?').run(containerId);
  }

  countOnBridge(bridge: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM mappings WHERE bridge = ?').get(bridge) as { n: number }).n;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM mappings').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
