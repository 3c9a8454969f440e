import * as path from 'node:path';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { KeyedLock } from '@berth/storage';
import { hostHasIpv6, hostUsedPorts, readEphemeralRange } from './host-ports';
import { HoldError, PortHolder } from './port-holder';
import type { PortMap, PortPublisher, PublishRequest } from './port-publisher';
import { PortRules, type IptablesRunner } from './port-rules';
import { buildPortMap, ipFamily, planBindings, type PortRange, type Proto } from './port-spec';
import { PortAllocatedError, PortStore, type PortMappingRow } from './port-store';

export interface IptablesPortPublisherOptions {
  /** <data-root>/network: ports.db lives here. */
  stateDir: string;
  /** The instance tag (the default bridge's name): names Berth's chains and marks its rules. */
  tag: string;
  logger: Logger;
  /** Tests: a fake iptables, a fixed ephemeral range, IPv6 on or off, the host's used ports. */
  iptables?: IptablesRunner;
  ephemeral?: PortRange;
  ipv6?: boolean;
  hostUsed?: (proto: Proto) => ReadonlySet<number>;
}

/** How often a picked port the host turns out to hold is swapped for another before giving up. */
const PICK_ATTEMPTS = 16;

/**
 * Publishes container ports: allocation in SQLite, a held socket per host
 * address (which proxies what the kernel rules miss), DNAT and forwarding
 * rules in Berth's own chains. All of one container's bindings, or none.
 */
export class IptablesPortPublisher implements PortPublisher {
  private readonly store: PortStore;
  private readonly rules: PortRules;
  private readonly holder: PortHolder;
  private readonly logger: Logger;
  private readonly ipv6: boolean;
  private readonly ephemeral: PortRange;
  private readonly hostUsed: (proto: Proto) => ReadonlySet<number>;
  /** Rule and chain changes run one at a time in this process (a chain is torn down when its last mapping goes). */
  private readonly lock = new KeyedLock();

  constructor(opts: IptablesPortPublisherOptions) {
    this.logger = opts.logger;
    this.store = new PortStore(path.join(opts.stateDir, 'ports.db'));
    this.rules = new PortRules(opts.tag, opts.iptables);
    this.holder = new PortHolder(opts.logger);
    this.ipv6 = opts.ipv6 ?? hostHasIpv6();
    this.ephemeral = opts.ephemeral ?? readEphemeralRange();
    this.hostUsed = opts.hostUsed ?? hostUsedPorts;
  }

  publish(req: PublishRequest): Promise<PortMap> {
    return this.lock.run('ports', () => this.publishLocked(req));
  }

  private async publishLocked(req: PublishRequest): Promise<PortMap> {
    const plan = planBindings(req, this.ipv6);
    // A container published again (restarted, or re-attached after a crash) first gives back what it held.
    await this.unpublishLocked(req.containerId);
    if (plan.length === 0) return buildPortMap(req.exposed, []);
    const failure = (detail: string) => RpcError.internal(
      `driver failed programming external connectivity on endpoint ${req.endpointName ?? req.containerId.slice(0, 12)} (${req.endpointId ?? req.containerId}): ${detail}`);
    const excluded = new Set<string>();
    const hostUsedNow = new Map<Proto, ReadonlySet<number>>();
    const hostUsed = (proto: Proto) => hostUsedNow.get(proto) ?? hostUsedNow.set(proto, this.hostUsed(proto)).get(proto)!;
    for (let attempt = 1; ; attempt++) {
      let rows: PortMappingRow[];
      try {
        rows = this.store.allocate(req.containerId, req.containerIp, req.bridge, plan, { excluded, hostUsed, ephemeral: this.ephemeral });
      } catch (err) {
        if (err instanceof PortAllocatedError) throw failure(err.message);
        throw err;
      }
      try {
        await this.holder.hold(req.containerId, rows);
      } catch (err) {
        this.store.release(req.containerId);
        if (err instanceof HoldError) {
          // A picked port some other program holds: pick again without it. A port asked for by number fails.
          if (err.row.flexible && err.code === 'EADDRINUSE' && attempt < PICK_ATTEMPTS) {
            excluded.add(`${err.row.proto}/${err.row.hostPort}`);
            continue;
          }
          throw failure(err.message);
        }
        throw err;
      }
      try {
        await this.rules.add(rows);
      } catch (err) {
        this.holder.release(req.containerId);
        await this.removeRules(req.containerId, rows).catch(() => undefined);
        this.store.release(req.containerId);
        throw failure(err instanceof Error ? err.message : String(err));
      }
      this.logger.debug('ports published', { container: req.containerId, ports: rows.map((r) => `${r.hostIp}:${r.hostPort}->${r.containerPort}/${r.proto}`) });
      return buildPortMap(req.exposed, rows.map((r) => ({ key: r.key, hostIp: r.hostIp, hostPort: r.hostPort })));
    }
  }

  unpublish(containerId: string): Promise<void> {
    return this.lock.run('ports', () => this.unpublishLocked(containerId));
  }

  private async unpublishLocked(containerId: string): Promise<void> {
    const rows = this.store.rowsOf(containerId);
    this.holder.release(containerId);
    if (rows.length === 0) return;
    await this.removeRules(containerId, rows);
    // Released only once the rules are gone: a rule left behind would still send the port to this container.
    this.store.release(containerId);
  }

  /**
   * Removes the container's rules in one transaction, with its bridges'
   * loopback rules when no other published port uses them, and with the
   * chains and jumps when it held the last published port (a Berth with
   * nothing published leaves nothing in iptables).
   */
  private async removeRules(containerId: string, rows: PortMappingRow[]): Promise<void> {
    const last = this.store.count() === rows.length;
    const freed = new Set<string>();
    for (const bridge of new Set(rows.filter((r) => ipFamily(r.hostIp) === 4).map((r) => r.bridge))) {
      if (this.store.countOnBridge(bridge) === rows.filter((r) => r.bridge === bridge).length) freed.add(bridge);
    }
    await this.rules.remove(containerId, rows, freed, last);
  }

  reconcile(live: Set<string>): Promise<void> {
    return this.lock.run('ports', async () => {
      const rows = this.store.all();
      const byContainer = new Map<string, PortMappingRow[]>();
      for (const r of rows) {
        if (!live.has(r.containerId)) continue;
        const list = byContainer.get(r.containerId) ?? [];
        list.push(r);
        byContainer.set(r.containerId, list);
      }
      for (const r of rows) if (!live.has(r.containerId)) this.store.release(r.containerId);
      if (byContainer.size === 0) {
        this.holder.releaseAll();
        await this.rules.teardown();
        return;
      }
      const bridges = new Set([...byContainer.values()].flat().map((r) => r.bridge));
      // Rules of containers gone (or of bridges without a published port) go; each live container's set is re-made unless complete.
      await this.rules.removeWhere((owner) =>
        owner.startsWith('berth-c:') ? !byContainer.has(owner.slice('berth-c:'.length)) : !bridges.has(owner.slice('berth-b:'.length)));
      const listing = await this.rules.list();
      for (const [id, list] of byContainer) {
        const want = this.rules.rulesForAll(list).length;
        const have = listing.filter((l) => l.fields.includes(`berth-c:${id}`)).length;
        const bridgeMissing = list.some((r) => ipFamily(r.hostIp) === 4
          && listing.filter((l) => l.fields.includes(`berth-b:${r.bridge}`)).length !== this.rules.bridgeRules(r.bridge).length);
        if (want !== have || bridgeMissing) {
          await this.rules.removeContainer(id);
          await this.rules.add(list);
        }
        if (!this.holder.isHeld(id)) {
          await this.holder.hold(id, list).catch((err: unknown) =>
            this.logger.warn('could not hold a published port again; the kernel rules still forward it', { container: id, err: err as Error }));
        }
      }
      await this.rules.ensureChains();
      for (const id of this.holder.ids()) if (!byContainer.has(id)) this.holder.release(id);
    });
  }

  /** The container's published addresses, as publish returned them (without the exposed-only ports). */
  published(containerId: string): PortMappingRow[] {
    return this.store.rowsOf(containerId);
  }

  close(): Promise<void> {
    return this.lock.run('ports', async () => {
      this.holder.releaseAll();
      this.store.close();
    });
  }
}
