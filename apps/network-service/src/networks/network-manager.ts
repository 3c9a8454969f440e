import * as fs from 'node:fs';
import { RpcError } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { EventSink, discardEvents } from '@berth/events';
import { containerResolvConf } from '../dns/resolv-conf';
import { formatIpv4 } from '../ipam/ipv4';
import type { DefaultBridge } from '../wiring/bridge';
import type { NetnsDirectory } from '../wiring/netns';
import { deleteVeth, HOST_NETNS, randomMacAddress, randomVethName, vethScript } from '../wiring/veth';
import { KeyedLock } from '@berth/storage';
import { resolveNetworkMode } from './network-mode';
import { networkSettings } from './network-settings';
import { EndpointRecord, NetworkStore, PredefinedNetwork, SubnetFullError, randomId } from './network-store';

export interface AttachRequest {
  containerId: string;
  networkMode: string;
  hostname?: string;
  domainname?: string;
  extraHosts?: string[];
}

export interface Attachment {
  /** '' with host networking. */
  netnsPath: string;
  hostNetwork: boolean;
  settings: Record<string, unknown>;
  resolvConf: string;
  ipAddress: string;
  gateway: string;
  ipPrefixLen: number;
  macAddress: string;
}

/** dockerd's SandboxKey for host networking is netns/default: the host's own namespace. */
const HOST_NAMESPACE = 'default';

/** Container ids become file names under the netns directory. */
function checkContainerId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(id) || id === HOST_NAMESPACE) {
    throw RpcError.invalidArgument(`invalid container id "${id}"`);
  }
}

/**
 * Gives containers their network when they start (Attach) and takes it back
 * when they stop (Detach). Every endpoint is recorded before anything is
 * made for it, so a Detach after a crash or a restart still finds what to undo.
 */
export class NetworkManager {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly store: NetworkStore,
    private readonly netns: NetnsDirectory,
    private readonly bridge: DefaultBridge,
    private readonly logger: Logger,
    private readonly hostResolvConfPath = '/etc/resolv.conf',
    private readonly events: EventSink = discardEvents,
  ) {}

  /** Forgets endpoints of an earlier boot: their namespaces and interfaces are gone with it. */
  /** Nest's start-up hook: the default bridge and namespaces are settled before the service answers. */
  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  async start(): Promise<void> {
    for (const ep of this.store.staleEndpoints()) {
      await this.teardown(ep).catch((err: unknown) => this.logger.warn('could not clean up an endpoint of an earlier boot', { container: ep.containerId, error: String(err) }));
    }
  }


  async attach(req: AttachRequest): Promise<Attachment> {
    checkContainerId(req.containerId);
    const network = resolveNetworkMode(req.networkMode, this.store.networks());
    const attachment = await this.lock.run(req.containerId, () => this.attachLocked(req, network));
    await this.emit('connect', req.containerId, network);
    return attachment;
  }

  private async attachLocked(req: AttachRequest, network: PredefinedNetwork): Promise<Attachment> {
    // Whatever an earlier start left (the container-service crashed before its Detach).
    const earlier = this.store.endpoint(req.containerId);
    if (earlier) await this.teardown(earlier);
    else await this.netns.remove(req.containerId);

    const hostResolv = this.readHostResolvConf();
    const base = { containerId: req.containerId, network, sandboxId: randomId(), endpointId: randomId(), macAddress: '', hostVeth: '', netnsPath: '' };
    if (network === 'host') {
      const sandboxKey = await this.netns.host(HOST_NAMESPACE);
      const ep = this.store.addEndpoint(base);
      return this.attachment(ep, { sandboxKey, hostNetwork: true, resolvConf: hostResolv });
    }
    const netnsPath = this.netns.pathOf(req.containerId);
    if (network === 'none') {
      const ep = this.store.addEndpoint({ ...base, netnsPath });
      await this.wire(ep, () => this.netns.create(req.containerId));
      return this.attachment(ep, { sandboxKey: netnsPath, hostNetwork: false, resolvConf: containerResolvConf(hostResolv) });
    }
    await this.bridge.ensure();
    let ep: EndpointRecord;
    try {
      ep = this.store.addEndpoint({ ...base, netnsPath, hostVeth: randomVethName(), macAddress: randomMacAddress() }, this.bridge.subnet);
    } catch (err) {
      if (err instanceof SubnetFullError) throw RpcError.conflict(`${err.message}: bridge`);
      throw err;
    }
    await this.wire(ep, async () => {
      const script = vethScript(
        {
          hostVeth: ep.hostVeth,
          bridge: this.bridge.name,
          macAddress: ep.macAddress,
          addressCidr: `${formatIpv4(ep.address!)}/${this.bridge.subnet.prefixLen}`,
          gateway: this.bridge.gateway,
        },
        HOST_NETNS,
      );
      await this.netns.create(req.containerId, script);
    });
    return this.attachment(ep, { sandboxKey: netnsPath, hostNetwork: false, resolvConf: containerResolvConf(hostResolv) });
  }

  /** Undoes Attach; nothing to undo is fine. */
  async detach(containerId: string): Promise<void> {
    checkContainerId(containerId);
    const network = await this.lock.run(containerId, async () => {
      const ep = this.store.endpoint(containerId);
      if (ep) await this.teardown(ep);
      else await this.netns.remove(containerId);
      return ep?.network;
    });
    // The event need not hold up the container's stop.
    if (network) void this.emit('disconnect', containerId, network);
  }

  /** dockerd's `network connect` / `network disconnect` events, which `docker events` shows around a container's start and stop. */
  private async emit(action: 'connect' | 'disconnect', containerId: string, network: PredefinedNetwork): Promise<void> {
    const record = this.store.network(network)!;
    await this.events
      .publish({ Type: 'network', Action: action, Actor: { ID: record.id, Attributes: { container: containerId, name: record.name, type: record.driver } }, scope: 'local' })
      .catch((err: unknown) => this.logger.warn('could not publish a network event', { action, container: containerId, error: String(err) }));
  }

  /** Runs the wiring; on failure undoes it and releases the endpoint, so a failed start leaks nothing. */
  private async wire(ep: EndpointRecord, make: () => Promise<unknown>): Promise<void> {
    try {
      await make();
    } catch (err) {
      await this.teardown(ep).catch((undoErr: unknown) => this.logger.warn('could not undo a failed attach', { container: ep.containerId, error: String(undoErr) }));
      throw err;
    }
  }

  /** The veth and the namespace (at once: neither needs the other), and only then the address goes back to the pool. */
  private async teardown(ep: EndpointRecord): Promise<void> {
    await Promise.all([deleteVeth(ep.hostVeth), ep.netnsPath ? this.netns.remove(ep.containerId) : undefined]);
    this.store.removeEndpoint(ep.containerId);
  }

  private readHostResolvConf(): string {
    try {
      return fs.readFileSync(this.hostResolvConfPath, 'utf8');
    } catch {
      return '';
    }
  }

  private attachment(ep: EndpointRecord, extra: { sandboxKey: string; hostNetwork: boolean; resolvConf: string }): Attachment {
    const onBridge = ep.address !== undefined;
    const ipAddress = onBridge ? formatIpv4(ep.address!) : '';
    const gateway = onBridge ? this.bridge.gateway : '';
    const ipPrefixLen = onBridge ? this.bridge.subnet.prefixLen : 0;
    const settings = networkSettings({
      network: ep.network,
      networkId: this.store.network(ep.network)!.id,
      endpointId: ep.endpointId,
      sandboxId: ep.sandboxId,
      sandboxKey: extra.sandboxKey,
      ipAddress,
      ipPrefixLen,
      gateway,
      macAddress: ep.macAddress,
    });
    return { netnsPath: ep.netnsPath, hostNetwork: extra.hostNetwork, settings, resolvConf: extra.resolvConf, ipAddress, gateway, ipPrefixLen, macAddress: ep.macAddress };
  }
}
