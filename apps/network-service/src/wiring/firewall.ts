import { CommandError, runCommand } from '@berth/host';
import type { Table } from './iptables';

/** `-w`: wait for the xtables lock instead of failing when another process holds it. */
async function iptables(args: string[]): Promise<string> {
  return (await runCommand('iptables', ['-w', ...args])).stdout;
}

/** iptables exits 1 for "no such rule/chain": a question answered no, not a failure. */
function isNo(err: unknown): boolean {
  return err instanceof CommandError && err.exitCode === 1;
}

/** The rules one bridge network needs, as dockerd's bridge driver makes them. */
export interface BridgeRules {
  bridge: string;
  /** a.b.c.d/len */
  subnet: string;
  /** No way in or out of the bridge: no NAT, no forwarding to other interfaces. */
  internal: boolean;
  /** com.docker.network.bridge.enable_icc: containers on the bridge may talk to each other. */
  icc: boolean;
  /** com.docker.network.bridge.enable_ip_masquerade. */
  masquerade: boolean;
}

/** A rule as `iptables -S` lists it, split back into arguments (our comments have no spaces). */
function fieldsOf(line: string): string[] {
  return line.trim().split(/\s+/).map((f) => f.replace(/^"(.*)"$/, '$1'));
}

/**
 * Berth's own chains for one instance (tag T, the default bridge's name), like
 * dockerd's DOCKER-ISOLATION-STAGE-1/2: filter BERTH-FWD-T (jumped to first
 * from FORWARD), BERTH-ISO1-T and BERTH-ISO2-T (traffic from one Berth bridge
 * to another is dropped), nat BERTH-POST-T (from POSTROUTING: masquerade).
 * Every rule, the jumps from the built-in chains too, carries the comment
 * `berth:T`, so an instance's rules are found and removed as a set.
 * Changes are queued: concurrent network creations never interleave their
 * check-then-add steps.
 */
export class Firewall {
  readonly forward: string;
  readonly iso1: string;
  readonly iso2: string;
  readonly postrouting: string;
  private readonly comment: string[];
  private queue: Promise<unknown> = Promise.resolve();
  private chainsReady = false;

  constructor(readonly tag: string) {
    this.forward = `BERTH-FWD-${tag}`;
    this.iso1 = `BERTH-ISO1-${tag}`;
    this.iso2 = `BERTH-ISO2-${tag}`;
    this.postrouting = `BERTH-POST-${tag}`;
    this.comment = ['-m', 'comment', '--comment', `berth:${tag}`];
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ensureChain(table: Table, chain: string): Promise<void> {
    try {
      await iptables(['-t', table, '-N', chain]);
    } catch (err) {
      if (!(err instanceof CommandError && /exists/i.test(err.stderr))) throw err;
    }
  }

  private async has(table: Table, chain: string, rule: string[]): Promise<boolean> {
    try {
      await iptables(['-t', table, '-C', chain, ...rule]);
      return true;
    } catch (err) {
      if (isNo(err)) return false;
      throw err;
    }
  }

  private async ensure(table: Table, chain: string, rule: string[], insert = false): Promise<void> {
    const full = [...rule.slice(0, -2), ...this.comment, ...rule.slice(-2)];
    if (await this.has(table, chain, full)) return;
    await iptables(['-t', table, insert ? '-I' : '-A', chain, ...full]);
  }

  /** The chains and the jumps into them; cheap once done. */
  private async ensureChainsLocked(): Promise<void> {
    if (this.chainsReady && (await this.has('filter', 'FORWARD', ['-m', 'comment', '--comment', `berth:${this.tag}`, '-j', this.forward]))) return;
    await this.ensureChain('filter', this.forward);
    await this.ensureChain('filter', this.iso1);
    await this.ensureChain('filter', this.iso2);
    await this.ensureChain('nat', this.postrouting);
    // Isolation is decided before any ACCEPT of ours.
    await this.ensure('filter', this.forward, ['-j', this.iso1], true);
    // First in FORWARD: a host whose FORWARD ends in DROP must still pass container traffic.
    await this.ensure('filter', 'FORWARD', ['-j', this.forward], true);
    await this.ensure('nat', 'POSTROUTING', ['-j', this.postrouting]);
    this.chainsReady = true;
  }

  ensureChains(): Promise<void> {
    return this.serial(() => this.ensureChainsLocked());
  }

  /** Adds the bridge's forwarding, isolation and NAT rules (idempotent). */
  addBridge(r: BridgeRules): Promise<void> {
    return this.serial(async () => {
      await this.ensureChainsLocked();
      const b = r.bridge;
      await this.ensure('filter', this.iso1, ['-i', b, '!', '-o', b, '-j', this.iso2]);
      await this.ensure('filter', this.iso2, ['-o', b, '-j', 'DROP']);
      if (r.internal) {
        await this.ensure('filter', this.forward, ['-i', b, '!', '-o', b, '-j', 'DROP']);
        await this.ensure('filter', this.forward, ['!', '-i', b, '-o', b, '-j', 'DROP']);
      } else {
        await this.ensure('filter', this.forward, ['-o', b, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
        await this.ensure('filter', this.forward, ['-i', b, '!', '-o', b, '-j', 'ACCEPT']);
      }
      await this.ensure('filter', this.forward, ['-i', b, '-o', b, '-j', r.icc ? 'ACCEPT' : 'DROP']);
      if (!r.internal && r.masquerade) await this.ensure('nat', this.postrouting, ['-s', r.subnet, '!', '-o', b, '-j', 'MASQUERADE']);
    });
  }

  /** Deletes every rule of ours that names the bridge or its subnet. */
  removeBridge(bridge: string, subnet: string): Promise<void> {
    return this.serial(async () => {
      for (const [table, chain] of [['filter', this.forward], ['filter', this.iso1], ['filter', this.iso2], ['nat', this.postrouting]] as const) {
        await this.deleteMatching(table, chain, (f) => f.includes(bridge) || (subnet !== '' && f.includes(subnet) && f.includes('MASQUERADE')));
      }
    });
  }

  private async deleteMatching(table: Table, chain: string, match: (fields: string[]) => boolean): Promise<void> {
    let listing: string;
    try {
      listing = await iptables(['-t', table, '-S', chain]);
    } catch (err) {
      if (isNo(err)) return; // no such chain: nothing of ours
      throw err;
    }
    for (const line of listing.split('\n')) {
      const f = fieldsOf(line);
      if (f[0] !== '-A' || !match(f)) continue;
      await iptables(['-t', table, '-D', ...f.slice(1)]).catch((err: unknown) => {
        if (!isNo(err)) throw err;
      });
    }
  }

  /**
   * At start: deletes the rules of bridges that no longer belong to a network
   * (a crash between a network's removal from the store and its rules').
   */
  pruneBridges(known: Set<string>, knownSubnets: Set<string>): Promise<void> {
    return this.serial(async () => {
      const stranger = (f: string[]) => {
        for (let i = 0; i < f.length - 1; i++) if ((f[i] === '-i' || f[i] === '-o') && !known.has(f[i + 1])) return true;
        const s = f.indexOf('-s');
        return s >= 0 && f.includes('MASQUERADE') && !knownSubnets.has(f[s + 1]);
      };
      for (const [table, chain] of [['filter', this.forward], ['filter', this.iso1], ['filter', this.iso2], ['nat', this.postrouting]] as const) {
        await this.deleteMatching(table, chain, stranger);
      }
    });
  }

  /** Every chain and rule of this instance, jumps included (tests; an uninstall). */
  removeAll(): Promise<void> {
    return this.serial(async () => {
      this.chainsReady = false;
      await this.deleteMatching('filter', 'FORWARD', (f) => f.includes(`berth:${this.tag}`));
      await this.deleteMatching('nat', 'POSTROUTING', (f) => f.includes(`berth:${this.tag}`));
      for (const [table, chain] of [['filter', this.forward], ['filter', this.iso1], ['filter', this.iso2], ['nat', this.postrouting]] as const) {
        await iptables(['-t', table, '-F', chain]).catch((err: unknown) => { if (!isNo(err)) throw err; });
      }
      for (const [table, chain] of [['filter', this.forward], ['filter', this.iso1], ['filter', this.iso2], ['nat', this.postrouting]] as const) {
        await iptables(['-t', table, '-X', chain]).catch((err: unknown) => { if (!isNo(err)) throw err; });
      }
    });
  }
}
