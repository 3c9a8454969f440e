import * as fs from 'node:fs';
import { RpcError } from '@berth/rpc';
import type { Logger } from '@berth/logging';
import { EventSink, discardEvents } from '@berth/events';
import { KeyedLock } from '@berth/storage';
import { containerResolvConf } from '../dns/resolv-conf';
import type { PortMap, PortPublisher } from '../ports/port-publisher';
import { formatIpv4 } from '../ipam/ipv4';
import type { NetnsDirectory } from '../wiring/netns';
import { interfaceAlias } from '../wiring/bridge';
import { deleteVeth, HOST_NETNS, randomMacAddress, randomVethName, vethScript } from '../wiring/veth';
import { BridgeNetworks, NetworkWiring } from './bridge-networks';
import { resolveNetworkMode } from './network-mode';
import { findNetwork } from './network-resolver';
import { EndpointView, endpointDnsNames, networkSettings } from './network-settings';
import { AddressInUseError, EndpointRecord, NetworkGoneError, NetworkRecord, NetworkStore, SandboxRecord, SubnetFullError, randomId } from './network-store';
import { embeddedResolvConf } from './embedded-resolv-conf';

/** One network a container asks to join (NetworkingConfig.EndpointsConfig.<network>). */
export interface EndpointRequest {
  network: string;
  aliases?: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  macAddress?: string;
  links?: string[];
  driverOpts?: Record<string, string>;
  gwPriority?: number;
  linkLocalIps?: string[];
}

export interface PortBindingInput {
  containerPort: string;
  hostIp: string;
  hostPort: string;
}

export interface AttachRequest {
  containerId: string;
  networkMode: string;
  hostname?: string;
  domainname?: string;
  extraHosts?: string[];
  containerName?: string;
  endpoints?: EndpointRequest[];
  portBindings?: PortBindingInput[];
  publishAllPorts?: boolean;
  exposedPorts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
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
  embeddedDns: boolean;
}

export interface ConnectRequest {
  containerId: string;
  containerName?: string;
  hostname?: string;
  endpoint: EndpointRequest;
}

/** dockerd's SandboxKey for host networking is netns/default: the host's own namespace. */
const HOST_NAMESPACE = 'default';

/** Container ids become file names under the netns directory. */
function checkContainerId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(id) || id === HOST_NAMESPACE) {
    throw RpcError.invalidArgument(`invalid container id "${id}"`);
  }
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** A placeholder publisher: nothing published (tests of the manager alone). */
export const noPorts: PortPublisher = {
  publish: async (req) => Object.fromEntries(req.exposed.map((p) => [p, null])),
  unpublish: async () => undefined,
  reconcile: async () => undefined,
  close: async () => undefined,
};

interface Planned {
  network: NetworkRecord;
  request: EndpointRequest;
}

/**
 * Gives containers their networks when they start (Attach), adds and takes
 * away networks while they run (Connect, Disconnect) and takes everything
 * back when they stop (Detach). Every endpoint is recorded before anything
 * is made for it, so a Detach after a crash or a restart still finds what to
 * undo; a failure half-way undoes what was done and leaks nothing.
 */
export class NetworkManager {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly store: NetworkStore,
    private readonly netns: NetnsDirectory,
    private readonly bridges: BridgeNetworks,
    private readonly logger: Logger,
    private readonly hostResolvConfPath = '/etc/resolv.conf',
    private readonly events: EventSink = discardEvents,
    private readonly ports: PortPublisher = noPorts,
  ) {}

  /** Nest's start-up hook: what a crash left is settled before the service answers. */
  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  /**
   * Reconciles with the host: endpoints of an earlier boot are forgotten (their
   * namespaces and interfaces died with it); this boot's sandboxes whose
   * namespace is gone are undone; user networks' bridges are made again if
   * missing; interfaces tagged with this instance that belong to nothing are
   * deleted; the port publisher keeps only live containers' ports.
   */
  /** Nest's shutdown hook: the port publisher lets go of what it holds (its rules stay for the containers). */
  async onApplicationShutdown(): Promise<void> {
    await this.ports.close().catch((err: unknown) => this.logger.warn('could not close the port publisher', { error: String(err) }));
  }

  async start(): Promise<void> {
    const warn = (what: string, extra: Record<string, unknown>) => (err: unknown) => this.logger.warn(what, { ...extra, error: String(err) });
    for (const ep of this.store.staleEndpoints()) this.store.removeEndpoint(ep.containerId, ep.networkId);
    for (const sb of this.store.staleSandboxes()) {
      await this.netns.remove(sb.containerId).catch(warn('could not remove a namespace of an earlier boot', { container: sb.containerId }));
      this.store.removeSandbox(sb.containerId);
    }
    for (const sb of this.store.sandboxes()) {
      if (sb.hostNetwork || this.netns.exists(sb.containerId)) continue;
      await this.lock.run(sb.containerId, () => this.teardownAll(sb.containerId)).catch(warn('could not undo a sandbox whose namespace is gone', { container: sb.containerId }));
    }
    // Endpoints without a sandbox (a crash between the two records).
    for (const ep of this.store.allEndpoints()) {
      if (!this.store.sandbox(ep.containerId)) {
        await deleteVeth(ep.hostVeth).catch(() => undefined);
        this.store.removeEndpoint(ep.containerId, ep.networkId);
      }
    }
    const networks = this.store.networks();
    const inUse = new Set(this.store.allEndpoints().map((e) => e.networkId));
    for (const n of networks) {
      if (n.name === 'bridge' && !inUse.has(n.id)) continue;
      if (!this.bridges.wiring(n)) continue;
      await this.bridges.ensure(n).catch(warn('could not make a network\'s bridge again', { network: n.name }));
    }
    await this.sweepInterfaces(networks).catch(warn('could not sweep interfaces', {}));
    const wirings = networks.map((n) => this.bridges.wiring(n)).filter((w): w is NetworkWiring => w !== undefined);
    await this.bridges.defaultBridge.firewall
      .pruneBridges(new Set(wirings.map((w) => w.bridge)), new Set(wirings.map((w) => w.subnet)))
      .catch(warn('could not prune the rules of removed networks', {}));
    await this.ports.reconcile(new Set(this.store.sandboxes().map((s) => s.containerId))).catch(warn('could not reconcile published ports', {}));
  }

  /** Deletes interfaces carrying this instance's ifalias that no network or endpoint owns. */
  private async sweepInterfaces(networks: NetworkRecord[]): Promise<void> {
    const alias = interfaceAlias(this.bridges.tag);
    const owned = new Set<string>([this.bridges.defaultBridge.name, ...networks.map((n) => n.bridge).filter((b) => b), ...this.store.allEndpoints().map((e) => e.hostVeth)]);
    let names: string[] = [];
    try {
      names = fs.readdirSync('/sys/class/net');
    } catch {
      return;
    }
    for (const name of names) {
      let ifalias = '';
      try {
        ifalias = fs.readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim();
      } catch {
        continue;
      }
      if (ifalias !== alias || owned.has(name)) continue;
      this.logger.info('deleting an interface a crash left', { interface: name });
      // `ip link del` of any interface: a veth pair or a bridge alike.
      await deleteVeth(name).catch((err: unknown) => this.logger.warn('could not delete an interface a crash left', { interface: name, error: String(err) }));
    }
  }

  async attach(req: AttachRequest): Promise<Attachment> {
    checkContainerId(req.containerId);
    const plan = this.plan(req);
    const attachment = await this.lock.run(req.containerId, () => this.attachLocked(req, plan));
    for (const p of plan) await this.emit('connect', req.containerId, p.network);
    return attachment;
  }

  /** The networks to join, resolved and checked before anything is made. */
  private plan(req: AttachRequest): Planned[] {
    const networks = this.store.networks();
    const requests: EndpointRequest[] = req.endpoints && req.endpoints.length > 0 ? req.endpoints : [{ network: req.networkMode }];
    const planned = requests.map((r) => {
      const term = resolveNetworkMode(r.network);
      return { network: findNetwork(term, networks), request: r };
    });
    const special = planned.filter((p) => p.network.name === 'host' || p.network.name === 'none');
    if (special.length > 0 && planned.length > 1) throw RpcError.invalidArgument('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
    const seen = new Set<string>();
    for (const p of planned) {
      if (seen.has(p.network.id)) throw RpcError.invalidArgument(`network ${p.network.name} is given twice`);
      seen.add(p.network.id);
      this.checkEndpointRequest(p);
    }
    return planned;
  }

  private checkEndpointRequest(p: Planned): void {
    const r = p.request;
    const userDefined = !['bridge', 'host', 'none'].includes(p.network.name);
    if ((r.aliases?.length ?? 0) > 0 && !userDefined) throw RpcError.invalidArgument('network-scoped alias is supported only for containers in user defined networks');
    if (r.ipv4Address) {
      // runconfig's ErrUnsupportedNetworkAndIP and ErrUnsupportedNetworkNoSubnetAndIP.
      if (!userDefined) throw RpcError.invalidArgument('user specified IP address is supported on user defined networks only');
      if (!this.bridges.wiring(p.network) || p.network.ipam[0]?.auto) throw RpcError.invalidArgument('user specified IP address is supported only when connecting to networks with user configured subnets');
    }
    if (r.ipv6Address) throw RpcError.invalidArgument('IPv6 is not supported by Berth yet (IPAMConfig.IPv6Address)');
    if ((r.linkLocalIps?.length ?? 0) > 0) throw RpcError.invalidArgument('link-local addresses are not supported by Berth yet (IPAMConfig.LinkLocalIPs)');
    // The bridge driver's own endpoint options (sysctls, interface name) would change the wiring: none is built.
    const driverOpt = Object.keys(r.driverOpts ?? {}).find((k) => k.startsWith('com.docker.network.endpoint.'));
    if (driverOpt) throw RpcError.invalidArgument(`driver option ${driverOpt} is not supported by Berth yet`);
    if (r.macAddress && !MAC.test(r.macAddress)) throw RpcError.invalidArgument(`invalid MAC address: ${r.macAddress}`);
    if ((p.network.name === 'host' || p.network.name === 'none') && r.macAddress) throw RpcError.invalidArgument('conflicting options: mac-address and the network mode');
  }

  private async attachLocked(req: AttachRequest, plan: Planned[]): Promise<Attachment> {
    // Whatever an earlier start left (the container-service crashed before its Detach).
    await this.teardownAll(req.containerId);

    const hostResolv = this.readHostResolvConf();
    const sandbox: SandboxRecord = {
      containerId: req.containerId,
      containerName: req.containerName ?? '',
      hostname: req.hostname ?? '',
      netnsPath: '',
      sandboxId: randomId(),
      dns: req.dns ?? [],
      hostNetwork: false,
      ports: {},
    };
    const first = plan[0].network;
    if (first.name === 'host') {
      const sandboxKey = await this.netns.host(HOST_NAMESPACE);
      this.store.putSandbox({ ...sandbox, hostNetwork: true, netnsPath: '' });
      this.addPlainEndpoint(req, first);
      return this.attachment(req.containerId, sandboxKey, hostResolv);
    }
    const netnsPath = this.netns.pathOf(req.containerId);
    this.store.putSandbox({ ...sandbox, netnsPath });
    try {
      if (first.name === 'none') {
        this.addPlainEndpoint(req, first);
        await this.netns.create(req.containerId);
      } else {
        const gateway = NetworkManager.plannedGateway(plan);
        let created = false;
        for (const p of plan) {
          await this.join(req.containerId, req.containerName ?? '', req.hostname ?? '', p, created ? 'run' : 'create', p === gateway);
          created = true;
        }
        const ports = await this.publish(req);
        this.store.putSandbox({ ...sandbox, netnsPath, ports });
      }
    } catch (err) {
      await this.teardownAll(req.containerId).catch((undoErr: unknown) => this.logger.warn('could not undo a failed attach', { container: req.containerId, error: String(undoErr) }));
      throw err;
    }
    return this.attachment(req.containerId, netnsPath, hostResolv);
  }

  private addPlainEndpoint(req: AttachRequest, network: NetworkRecord): void {
    this.store.addEndpoint({
      containerId: req.containerId, networkId: network.id, containerName: req.containerName ?? '', macAddress: '', hostVeth: '', ifName: '',
      endpointId: randomId(), aliases: [], links: [], dnsNames: [], requestedIpv4: '', driverOpts: {}, gwPriority: 0,
    });
  }

  /** Ports go on the container's first bridge network, as dockerd publishes them. */
  private async publish(req: AttachRequest): Promise<PortMap> {
    // Nothing to publish (most containers): exposed ports show as null, no call to the publisher.
    if ((req.portBindings ?? []).length === 0 && !req.publishAllPorts) return Object.fromEntries((req.exposedPorts ?? []).map((p) => [p, null]));
    const eps = this.store.endpointsOf(req.containerId);
    for (const ep of eps) {
      const n = this.store.networkById(ep.networkId);
      const w = n && this.bridges.wiring(n);
      if (!w || ep.address === undefined) continue;
      // For the publisher's error wording and -P's address (PublishRequest's optional fields).
      const endpoint = { endpointName: ep.containerName || req.containerId, endpointId: ep.endpointId, hostBindingIpv4: w.hostBindingIpv4 };
      return this.ports.publish({
        containerId: req.containerId,
        containerIp: formatIpv4(ep.address),
        bridge: w.bridge,
        // The network's host_binding_ipv4 is the HostIp of bindings that name none.
        bindings: (req.portBindings ?? []).map((b) => ({ containerPort: b.containerPort, hostIp: b.hostIp || w.hostBindingIpv4, hostPort: b.hostPort })),
        publishAll: req.publishAllPorts ?? false,
        exposed: req.exposedPorts ?? [],
        ...endpoint,
      });
    }
    return {};
  }

  /**
   * One bridge endpoint: the bridge made if missing, the address taken in
   * the store, the veth made in the namespace — `create` makes the namespace
   * with it (one process start), `run` enters the existing one.
   */
  private async join(containerId: string, containerName: string, hostname: string, p: Planned, how: 'create' | 'run', routes: boolean): Promise<EndpointRecord> {
    const w = this.bridges.wiring(p.network);
    if (!w) throw RpcError.invalidArgument(`network ${p.network.name} cannot be joined: it has no bridge`);
    const r = p.request;
    const aliases = r.aliases ?? [];
    let ep: EndpointRecord;
    try {
      ep = this.store.addEndpoint(
        {
          containerId, networkId: p.network.id, containerName, macAddress: (r.macAddress || randomMacAddress()).toLowerCase(), hostVeth: randomVethName(),
          endpointId: randomId(), aliases, links: r.links ?? [],
          dnsNames: w.userDefined ? endpointDnsNames(containerName, aliases, containerId, hostname) : [],
          requestedIpv4: r.ipv4Address ?? '', driverOpts: r.driverOpts ?? {}, gwPriority: r.gwPriority ?? 0,
        },
        { plan: w.plan, requested: r.ipv4Address ?? '' },
      );
    } catch (err) {
      if (err instanceof AddressInUseError) throw RpcError.conflict(err.message);
      if (err instanceof NetworkGoneError) throw RpcError.notFound(`network ${p.network.name} not found`);
      if (err instanceof SubnetFullError) throw RpcError.invalidArgument(r.ipv4Address ? `invalid endpoint settings:\n${err.message}` : `${err.message}: ${p.network.name} (${p.network.id})`);
      if (err instanceof Error && /UNIQUE constraint failed: endpoints_v2\.container_id/.test(err.message)) throw RpcError.permissionDenied(`endpoint with name ${containerName} already exists in network ${p.network.name}`);
      throw err;
    }
    try {
      // After the endpoint is recorded: a concurrent removal of the network is now refused, so the bridge stays.
      await this.bridges.ensure(p.network);
      const script = vethScript({
        hostVeth: ep.hostVeth, bridge: w.bridge, ifName: ep.ifName, macAddress: ep.macAddress,
        addressCidr: `${formatIpv4(ep.address!)}/${w.prefixLen}`, defaultGateway: routes ? w.gateway : '', mtu: w.mtu,
        alias: interfaceAlias(this.bridges.tag),
      }, HOST_NETNS);
      if (how === 'create') await this.netns.create(containerId, script);
      else await this.netns.run(containerId, script);
    } catch (err) {
      await deleteVeth(ep.hostVeth).catch(() => undefined);
      this.store.removeEndpoint(containerId, p.network.id);
      throw err;
    }
    return ep;
  }

  /**
   * The endpoint whose gateway is the container's default route: among the
   * non-internal bridge endpoints, the highest GwPriority, the first joined
   * on a tie (dockerd 28's rule).
   */
  private gatewayEndpoint(containerId: string): EndpointRecord | undefined {
    let best: EndpointRecord | undefined;
    for (const e of this.store.endpointsOf(containerId)) {
      const n = this.store.networkById(e.networkId);
      if (!n || n.internal || e.address === undefined || !this.bridges.wiring(n)) continue;
      if (!best || e.gwPriority > best.gwPriority) best = e;
    }
    return best;
  }

  /** Which planned network routes by default: the same rule before anything is made. */
  private static plannedGateway(plan: Planned[]): Planned | undefined {
    let best: Planned | undefined;
    for (const p of plan) {
      if (p.network.internal || p.network.name === 'host' || p.network.name === 'none') continue;
      if (!best || (p.request.gwPriority ?? 0) > (best.request.gwPriority ?? 0)) best = p;
    }
    return best;
  }

  /** Undoes Attach and every Connect; nothing to undo is fine. */
  async detach(containerId: string): Promise<void> {
    checkContainerId(containerId);
    const gone = await this.lock.run(containerId, () => this.teardownAll(containerId));
    // The events need not hold up the container's stop.
    for (const n of gone) void this.emit('disconnect', containerId, n);
  }

  /** A running container joins one more network, live: a new interface in its namespace. */
  async connect(req: ConnectRequest): Promise<Record<string, unknown>> {
    checkContainerId(req.containerId);
    const network = findNetwork(resolveNetworkMode(req.endpoint.network), this.store.networks());
    const p = { network, request: req.endpoint };
    const settings = await this.lock.run(req.containerId, async () => {
      const sb = this.store.sandbox(req.containerId);
      if (!sb) throw RpcError.conflict(`container ${req.containerId} is not running`);
      // runconfig's ErrConflictHostNetwork / ErrConflictNoNetwork: validation errors (400) on dockerd.
      if (sb.hostNetwork || network.name === 'host') throw RpcError.invalidArgument('container cannot be disconnected from host network or connected to host network');
      if (network.name === 'none' || this.store.endpointsOf(req.containerId).some((e) => this.store.networkById(e.networkId)?.name === 'none')) {
        throw RpcError.invalidArgument('container cannot be connected to multiple networks with one of the networks in private (none) mode');
      }
      if (this.store.endpoint(req.containerId, network.id)) throw RpcError.permissionDenied(`endpoint with name ${sb.containerName || req.containerName || req.containerId} already exists in network ${network.name}`);
      this.checkEndpointRequest(p);
      const current = this.gatewayEndpoint(req.containerId);
      const routes = !network.internal && (!current || (req.endpoint.gwPriority ?? 0) > current.gwPriority);
      await this.join(req.containerId, sb.containerName || req.containerName || '', sb.hostname || req.hostname || '', p, 'run', routes);
      return this.settingsOf(req.containerId, sb);
    });
    await this.emit('connect', req.containerId, network);
    return settings;
  }

  /** A running container leaves one network: its interface goes at once. */
  async disconnect(containerId: string, term: string): Promise<Record<string, unknown>> {
    checkContainerId(containerId);
    const network = findNetwork(resolveNetworkMode(term), this.store.networks());
    const settings = await this.lock.run(containerId, async () => {
      const sb = this.store.sandbox(containerId);
      const ep = this.store.endpoint(containerId, network.id);
      if (!sb || !ep) throw RpcError.permissionDenied(`container ${containerId} is not connected to network ${network.name}`);
      if (sb.hostNetwork) throw RpcError.invalidArgument('container cannot be disconnected from host network or connected to host network');
      const hadRoute = this.gatewayEndpoint(containerId)?.networkId === network.id;
      await deleteVeth(ep.hostVeth);
      this.store.removeEndpoint(containerId, network.id);
      if (hadRoute) await this.rerouteDefault(containerId);
      return this.settingsOf(containerId, sb);
    });
    await this.emit('disconnect', containerId, network);
    return settings;
  }

  /** After the default route's network left: the next non-internal network routes, as dockerd re-picks the gateway. */
  private async rerouteDefault(containerId: string): Promise<void> {
    const e = this.gatewayEndpoint(containerId);
    const n = e && this.store.networkById(e.networkId);
    const w = n && this.bridges.wiring(n);
    if (!e || !w) return;
    await this.netns.run(containerId, `ip route replace default via ${w.gateway} dev ${e.ifName}`).catch((err: unknown) => this.logger.warn('could not move the default route', { container: containerId, error: String(err) }));
  }

  /** Everything of the container: ports, veths, namespace, records. Returns the networks it left. */
  private async teardownAll(containerId: string): Promise<NetworkRecord[]> {
    const sb = this.store.sandbox(containerId);
    const eps = this.store.endpointsOf(containerId);
    await this.ports.unpublish(containerId);
    await Promise.all([
      ...eps.map((e) => deleteVeth(e.hostVeth)),
      sb?.hostNetwork ? undefined : this.netns.remove(containerId),
    ]);
    const left: NetworkRecord[] = [];
    for (const e of eps) {
      this.store.removeEndpoint(containerId, e.networkId);
      const n = this.store.networkById(e.networkId);
      if (n) left.push(n);
    }
    this.store.removeSandbox(containerId);
    return left;
  }

  /** dockerd's `network connect` / `network disconnect` events, which `docker events` shows around a container's start and stop. */
  private async emit(action: 'connect' | 'disconnect', containerId: string, network: NetworkRecord): Promise<void> {
    await this.events
      .publish({ Type: 'network', Action: action, Actor: { ID: network.id, Attributes: { container: containerId, name: network.name, type: network.driver } }, scope: 'local' })
      .catch((err: unknown) => this.logger.warn('could not publish a network event', { action, container: containerId, error: String(err) }));
  }

  private readHostResolvConf(): string {
    try {
      return fs.readFileSync(this.hostResolvConfPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** The container's whole NetworkSettings as it stands. */
  private settingsOf(containerId: string, sb: SandboxRecord): Record<string, unknown> {
    const views = this.views(containerId);
    const sandboxKey = sb.hostNetwork ? this.netns.pathOf(HOST_NAMESPACE) : sb.netnsPath;
    return networkSettings({ sandboxId: sb.sandboxId, sandboxKey, ports: this.store.sandbox(containerId)?.ports ?? sb.ports, endpoints: views.map((v) => v.view) });
  }

  private views(containerId: string): { view: EndpointView; wiring?: NetworkWiring; network: NetworkRecord }[] {
    const out: { view: EndpointView; wiring?: NetworkWiring; network: NetworkRecord }[] = [];
    for (const e of this.store.endpointsOf(containerId)) {
      const n = this.store.networkById(e.networkId);
      if (!n) continue;
      const w = this.bridges.wiring(n);
      const onBridge = e.address !== undefined && w !== undefined;
      out.push({
        network: n,
        wiring: w,
        view: {
          network: n.name, networkId: n.id, endpointId: e.endpointId,
          ipAddress: onBridge ? formatIpv4(e.address!) : '', ipPrefixLen: onBridge ? w!.prefixLen : 0, gateway: onBridge ? w!.gateway : '',
          macAddress: e.macAddress, requestedIpv4: e.requestedIpv4, aliases: e.aliases, links: e.links,
          dnsNames: w?.userDefined ? e.dnsNames : null, driverOpts: e.driverOpts, gwPriority: e.gwPriority,
        },
      });
    }
    return out;
  }

  private attachment(containerId: string, sandboxKey: string, hostResolv: string): Attachment {
    const sb = this.store.sandbox(containerId)!;
    const views = this.views(containerId);
    const settings = networkSettings({ sandboxId: sb.sandboxId, sandboxKey, ports: sb.ports, endpoints: views.map((v) => v.view) });
    const primary = views[0]?.view;
    const dnsNet = views.find((v) => v.wiring?.userDefined);
    const resolvConf = sb.hostNetwork ? hostResolv : dnsNet ? embeddedResolvConf(hostResolv, dnsNet.wiring!.gateway) : containerResolvConf(hostResolv);
    return {
      netnsPath: sb.netnsPath,
      hostNetwork: sb.hostNetwork,
      settings,
      resolvConf,
      ipAddress: primary?.ipAddress ?? '',
      gateway: primary?.gateway ?? '',
      ipPrefixLen: primary?.ipPrefixLen ?? 0,
      macAddress: primary?.macAddress ?? '',
      embeddedDns: dnsNet !== undefined,
    };
  }
}
