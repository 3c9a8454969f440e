import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Ipv4Subnet, formatIpv4, formatSubnet, gatewayOf } from '../ipam/ipv4';
import { CommandError, runCommand } from '@berth/host';
import { RpcError } from '@berth/rpc';
import { deleteRulesWithComment, ruleComment } from './iptables';
import { BridgeRules, Firewall } from './firewall';

/** A random locally administered unicast MAC. */
function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function interfaceExists(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}`);
}

/** The ifalias every interface of an instance carries, so a sweep finds them. */
export function interfaceAlias(tag: string): string {
  return `berth:${tag}`;
}

/** One Linux bridge with its gateway address and its firewall rules. */
export interface BridgeSpec extends BridgeRules {
  /** The bridge's own address with the prefix: `172.20.0.1/16`. */
  gatewayCidr: string;
  /** com.docker.network.driver.mtu; 0 leaves the kernel's default. */
  mtu: number;
}

/** Makes what is missing of the bridge (idempotent; replicas may race). */
export async function ensureBridge(spec: BridgeSpec, firewall: Firewall): Promise<void> {
  // com.docker.network.bridge.name may name an interface of the host's: only a bridge will do.
  if (interfaceExists(spec.bridge) && !fs.existsSync(`/sys/class/net/${spec.bridge}/bridge`)) {
    throw RpcError.conflict(`interface ${spec.bridge} exists and is not a bridge`);
  }
  if (!interfaceExists(spec.bridge)) {
    // An explicit MAC, as dockerd gives its bridges: without one the bridge takes the lowest MAC of
    // its ports and changes it when that port goes, and the containers' cached ARP entry for the
    // gateway (DNS server, default route) then points nowhere until it goes stale.
    await runCommand('ip', ['link', 'add', 'name', spec.bridge, 'address', randomMac(), ...(spec.mtu ? ['mtu', String(spec.mtu)] : []), 'type', 'bridge']).catch((err: unknown) => {
      // Another replica made it first.
      if (!(err instanceof CommandError && /exists/i.test(err.stderr))) throw err;
    });
  }
  await runCommand('ip', ['link', 'set', 'dev', spec.bridge, 'alias', interfaceAlias(firewall.tag)]);
  await runCommand('ip', ['addr', 'replace', spec.gatewayCidr, 'dev', spec.bridge]);
  await runCommand('ip', ['link', 'set', spec.bridge, 'up']);
  // As dockerd does when it creates a bridge: without it nothing leaves it.
  fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1\n');
  // ICC off is a FORWARD rule between ports of one bridge: bridged frames see iptables only with this.
  if (!spec.icc && fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) fs.writeFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', '1\n');
  await firewall.addBridge(spec);
}

/** Deletes the bridge (its ports go with it) and its rules. Idempotent. */
export async function removeBridge(name: string, subnet: string, firewall: Firewall): Promise<void> {
  if (interfaceExists(name)) {
    await runCommand('ip', ['link', 'del', name]).catch((err: unknown) => {
      if (interfaceExists(name)) throw err;
    });
  }
  await firewall.removeBridge(name, subnet);
}

/**
 * The default bridge (dockerd's docker0): the interface with the gateway
 * address, IP forwarding, outbound NAT for the subnet, and forwarding rules
 * that let containers out and only replies in, in the instance's chains.
 */
export class DefaultBridge {
  private ready?: Promise<void>;

  constructor(readonly name: string, readonly subnet: Ipv4Subnet, readonly firewall: Firewall = new Firewall(name), readonly mtu = 0) {}

  get gateway(): string {
    return formatIpv4(gatewayOf(this.subnet));
  }

  /** Creates what is missing; cheap once done (unless someone deleted the bridge meanwhile). */
  ensure(): Promise<void> {
    if (this.ready && interfaceExists(this.name)) return this.ready;
    if (this.ready && !interfaceExists(this.name)) this.ready = undefined;
    this.ready ??= this.setUp().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private setUp(): Promise<void> {
    return ensureBridge({
      bridge: this.name,
      subnet: formatSubnet(this.subnet),
      gatewayCidr: `${this.gateway}/${this.subnet.prefixLen}`,
      internal: false,
      icc: true,
      masquerade: true,
      mtu: this.mtu,
    }, this.firewall);
  }

  /** Deletes the bridge and every rule and chain of the instance (tests; a Berth being uninstalled). */
  async remove(): Promise<void> {
    this.ready = undefined;
    await removeBridge(this.name, formatSubnet(this.subnet), this.firewall);
    await this.firewall.removeAll();
    // Rules of Berths before issue 10 sat in the built-in chains themselves.
    await deleteRulesWithComment('nat', 'POSTROUTING', ruleComment(this.name));
    await deleteRulesWithComment('filter', 'FORWARD', ruleComment(this.name));
  }
}
