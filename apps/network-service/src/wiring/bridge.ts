import * as fs from 'node:fs';
import { Ipv4Subnet, formatIpv4, formatSubnet, gatewayOf } from '../ipam/ipv4';
import { CommandError, runCommand } from '@berth/host';
import { deleteRulesWithComment, ensureRule, ruleComment } from './iptables';

function interfaceExists(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}`);
}

/**
 * The default bridge (dockerd's docker0): the interface with the gateway
 * address, IP forwarding, outbound NAT for the subnet, and FORWARD rules that
 * let containers out and only replies in.
 */
export class DefaultBridge {
  private ready?: Promise<void>;

  constructor(readonly name: string, readonly subnet: Ipv4Subnet) {}

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

  private async setUp(): Promise<void> {
    if (!interfaceExists(this.name)) {
      await runCommand('ip', ['link', 'add', 'name', this.name, 'type', 'bridge']).catch((err: unknown) => {
        // Another replica made it first.
        if (!(err instanceof CommandError && /exists/i.test(err.stderr))) throw err;
      });
    }
    await runCommand('ip', ['addr', 'replace', `${this.gateway}/${this.subnet.prefixLen}`, 'dev', this.name]);
    await runCommand('ip', ['link', 'set', this.name, 'up']);
    // As dockerd does when it creates docker0: without it nothing leaves the bridge.
    fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1\n');
    const comment = ['-m', 'comment', '--comment', ruleComment(this.name)];
    const subnet = formatSubnet(this.subnet);
    await ensureRule('nat', 'POSTROUTING', ['-s', subnet, '!', '-o', this.name, ...comment, '-j', 'MASQUERADE']);
    // Inserted first: a host whose FORWARD chain ends in DROP must still pass container traffic.
    await ensureRule('filter', 'FORWARD', ['-i', this.name, ...comment, '-j', 'ACCEPT'], true);
    await ensureRule('filter', 'FORWARD', ['-o', this.name, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...comment, '-j', 'ACCEPT'], true);
  }

  /** Deletes the bridge and its rules (tests; a Berth being uninstalled). */
  async remove(): Promise<void> {
    this.ready = undefined;
    if (interfaceExists(this.name)) {
      await runCommand('ip', ['link', 'del', this.name]).catch((err: unknown) => {
        if (interfaceExists(this.name)) throw err;
      });
    }
    await deleteRulesWithComment('nat', 'POSTROUTING', ruleComment(this.name));
    await deleteRulesWithComment('filter', 'FORWARD', ruleComment(this.name));
  }
}
