import type { Logger } from '@berth/logging';
import type { DnsListeners } from '../dns/name-source';
import { AddressPlan, addressPlan } from '../ipam/network-ipam';
import { formatIpv4, formatSubnet, gatewayOf } from '../ipam/ipv4';
import { DefaultBridge, ensureBridge, interfaceExists, removeBridge } from '../wiring/bridge';
import { bridgeOptions } from './bridge-options';
import type { NetworkRecord } from './network-store';

/** What wiring an endpoint on a bridge network needs to know of the network. */
export interface NetworkWiring {
  bridge: string;
  subnet: string;
  prefixLen: number;
  gateway: string;
  plan: AddressPlan;
  internal: boolean;
  mtu: number;
  /** The HostIp for ports published by containers on it ('' = every address). */
  hostBindingIpv4: string;
  /** A user-defined network: the embedded DNS answers on its gateway. */
  userDefined: boolean;
}

/**
 * The Linux side of bridge networks: the default bridge (configuration) and
 * one bridge per user network (its record), made when first needed and again
 * if someone deleted it; the embedded DNS listens on a user network's gateway
 * while its bridge is up.
 */
export class BridgeNetworks {
  private readonly ready = new Map<string, Promise<void>>();

  constructor(readonly defaultBridge: DefaultBridge, private readonly dns: DnsListeners, private readonly logger: Logger) {}

  /** Nest's shutdown hook: the embedded DNS stops answering with the service. */
  async onApplicationShutdown(): Promise<void> {
    await this.dns.close().catch((err: unknown) => this.logger.warn('could not close the embedded DNS', { error: String(err) }));
  }

  get tag(): string {
    return this.defaultBridge.name;
  }

  /** undefined for host and none, which have no bridge. */
  wiring(n: NetworkRecord): NetworkWiring | undefined {
    if (n.name === 'bridge') {
      const d = this.defaultBridge;
      const gateway = d.gateway;
      const subnet = formatSubnet(d.subnet);
      return {
        bridge: d.name, subnet, prefixLen: d.subnet.prefixLen, gateway,
        plan: addressPlan({ subnet, ipRange: '', gateway, auxAddresses: {} }),
        internal: false, mtu: d.mtu, hostBindingIpv4: '', userDefined: false,
      };
    }
    if (n.driver !== 'bridge' || n.ipam.length === 0) return undefined;
    const ipam = n.ipam[0];
    const plan = addressPlan(ipam);
    const opts = bridgeOptions(n.options);
    return {
      bridge: n.bridge, subnet: ipam.subnet, prefixLen: plan.subnet.prefixLen, gateway: ipam.gateway || formatIpv4(gatewayOf(plan.subnet)),
      plan, internal: n.internal, mtu: opts.mtu, hostBindingIpv4: opts.hostBindingIpv4, userDefined: true,
    };
  }

  /** Makes the network's bridge, rules and DNS listener if missing; cheap once done. */
  ensure(n: NetworkRecord): Promise<void> {
    if (n.name === 'bridge') return this.defaultBridge.ensure();
    const w = this.wiring(n);
    if (!w) return Promise.resolve();
    const cached = this.ready.get(n.id);
    if (cached && interfaceExists(w.bridge)) return cached;
    const opts = bridgeOptions(n.options);
    const made = (async () => {
      await ensureBridge({
        bridge: w.bridge, subnet: w.subnet, gatewayCidr: `${w.gateway}/${w.prefixLen}`,
        internal: n.internal, icc: opts.icc, masquerade: opts.masquerade, mtu: opts.mtu,
      }, this.defaultBridge.firewall);
      await this.dns.listen(w.gateway);
    })().catch((err: unknown) => {
      this.ready.delete(n.id);
      throw err;
    });
    this.ready.set(n.id, made);
    return made;
  }

  /** Takes the network's bridge, rules and DNS listener away. Idempotent. */
  async remove(n: NetworkRecord): Promise<void> {
    const w = this.wiring(n);
    this.ready.delete(n.id);
    if (!w || !w.userDefined) return;
    await this.dns.unlisten(w.gateway).catch((err: unknown) => this.logger.warn('could not stop the embedded DNS on a network', { network: n.name, error: String(err) }));
    await removeBridge(w.bridge, w.subnet, this.defaultBridge.firewall);
  }
}
