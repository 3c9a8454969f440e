import * as fs from 'node:fs';
import { CommandError, runCommand } from '@berth/host';
import type { PortMappingRow } from './port-store';
import { ipFamily } from './port-spec';

type Table = 'nat' | 'filter';

/** One rule: its table, chain and the arguments after `-A <chain>`. */
export interface Rule {
  table: Table;
  chain: string;
  args: string[];
}

/** Runs iptables programs; tests replace it. */
export interface IptablesRunner {
  /** `iptables -w <args>`; exit status 1 rejects with CommandError. */
  iptables(args: string[]): Promise<string>;
  /** `iptables-restore -w --noflush` of `input`, all or nothing. */
  restore(input: string): Promise<void>;
}

export const hostIptables: IptablesRunner = {
  async iptables(args) {
    return (await runCommand('iptables', ['-w', ...args])).stdout;
  },
  async restore(input) {
    await runCommand('iptables-restore', ['-w', '--noflush'], { input });
  },
};

function isExit1(err: unknown): boolean {
  return err instanceof CommandError && err.exitCode === 1;
}

/** A listing line (`iptables -S`) back into arguments: nft's iptables quotes comments, ours hold no spaces. */
function listingFields(line: string): string[] {
  return line.trim().split(/\s+/).map((f) => f.replace(/^"(.*)"$/, '$1'));
}

function restoreScript(lines: { table: Table; line: string }[]): string {
  let out = '';
  for (const table of ['nat', 'filter'] as const) {
    const of = lines.filter((l) => l.table === table);
    if (of.length === 0) continue;
    out += `*${table}\n${of.map((l) => l.line).join('\n')}\nCOMMIT\n`;
  }
  return out;
}

/**
 * Berth's iptables rules for published ports, in chains of its own per
 * instance tag T, so they are found and removed as a set:
 * - nat BERTH-DNAT-T (from PREROUTING and OUTPUT, local destinations only):
 *   DNAT of each published host address and port to the container;
 * - nat BERTH-PMASQ-T (from POSTROUTING): MASQUERADE of host-local sources
 *   into a bridge (so 127.0.0.1 can be DNATed to a container, with
 *   route_localnet) and of a container reaching its own published port;
 * - filter BERTH-PORTS-T (first in FORWARD): ACCEPT of DNATed traffic to and
 *   from the published container port, for hosts whose FORWARD policy drops.
 * Every rule carries `berth:T` (the instance's mark, which its cleanup looks
 * for) and `berth-c:<container id>` or `berth-b:<bridge>` (whose it is).
 */
export class PortRules {
  readonly dnatChain: string;
  readonly masqChain: string;
  readonly forwardChain: string;
  private readonly mark: string;
  private chainsReady = false;

  constructor(readonly tag: string, private readonly run: IptablesRunner = hostIptables) {
    this.dnatChain = `BERTH-DNAT-${tag}`;
    this.masqChain = `BERTH-PMASQ-${tag}`;
    this.forwardChain = `BERTH-PORTS-${tag}`;
    this.mark = `berth:${tag}`;
  }

  private comment(owner: string): string[] {
    return ['-m', 'comment', '--comment', this.mark, '-m', 'comment', '--comment', owner];
  }

  /** The jumps into Berth's chains: [table, builtin chain, args, insert first]. */
  private jumps(): { table: Table; chain: string; args: string[]; insert: boolean }[] {
    const mark = ['-m', 'comment', '--comment', this.mark];
    return [
      { table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', ...mark, '-j', this.dnatChain], insert: false },
      { table: 'nat', chain: 'OUTPUT', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', ...mark, '-j', this.dnatChain], insert: false },
      { table: 'nat', chain: 'POSTROUTING', args: [...mark, '-j', this.masqChain], insert: true },
      { table: 'filter', chain: 'FORWARD', args: [...mark, '-j', this.forwardChain], insert: true },
    ];
  }

  /** The rules one published address needs; IPv6 addresses have none (their socket proxies). */
  rulesFor(row: PortMappingRow): Rule[] {
    if (ipFamily(row.hostIp) === 6) return [];
    const owner = this.comment(`berth-c:${row.containerId}`);
    const proto = ['-p', row.proto, '-m', row.proto];
    const dest = row.hostIp === '0.0.0.0' ? [] : ['-d', `${row.hostIp}/32`];
    const cip = `${row.containerIp}/32`;
    const dnated = ['-m', 'conntrack', '--ctstate', 'DNAT'];
    return [
      { table: 'nat', chain: this.dnatChain, args: [...dest, ...proto, '--dport', String(row.hostPort), ...owner, '-j', 'DNAT', '--to-destination', `${row.containerIp}:${row.containerPort}`] },
      { table: 'nat', chain: this.masqChain, args: ['-s', cip, '-d', cip, ...proto, '--dport', String(row.containerPort), ...owner, '-j', 'MASQUERADE'] },
      { table: 'filter', chain: this.forwardChain, args: ['-d', cip, '-o', row.bridge, ...proto, '--dport', String(row.containerPort), ...dnated, ...owner, '-j', 'ACCEPT'] },
      { table: 'filter', chain: this.forwardChain, args: ['-s', cip, '-i', row.bridge, ...proto, '--sport', String(row.containerPort), ...dnated, ...owner, '-j', 'ACCEPT'] },
    ];
  }

  /** The rules of several addresses, each once (two host ports of one container port share the forwarding rules). */
  rulesForAll(rows: PortMappingRow[]): Rule[] {
    const seen = new Set<string>();
    return rows.flatMap((r) => this.rulesFor(r)).filter((rule) => {
      const key = `${rule.table} ${rule.chain} ${rule.args.join(' ')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** The bridge-wide rule for loopback clients: their 127.0.0.1 source becomes the bridge's address. */
  bridgeRule(bridge: string): Rule {
    return { table: 'nat', chain: this.masqChain, args: ['-o', bridge, '-m', 'addrtype', '--src-type', 'LOCAL', ...this.comment(`berth-b:${bridge}`), '-j', 'MASQUERADE'] };
  }

  /** Creates the chains and jumps unless they are there. */
  async ensureChains(): Promise<void> {
    if (this.chainsReady) return;
    for (const [table, chain] of [['nat', this.dnatChain], ['nat', this.masqChain], ['filter', this.forwardChain]] as const) {
      await this.run.iptables(['-t', table, '-N', chain]).catch((err: unknown) => {
        if (!isExit1(err)) throw err; // exit 1: it exists already
      });
    }
    for (const j of this.jumps()) {
      try {
        await this.run.iptables(['-t', j.table, '-C', j.chain, ...j.args]);
      } catch (err) {
        if (!isExit1(err)) throw err;
        await this.run.iptables(['-t', j.table, j.insert ? '-I' : '-A', j.chain, ...(j.insert ? ['1'] : []), ...j.args]);
      }
    }
    this.chainsReady = true;
  }

  /** Adds the container's rules (and its bridge's loopback rule when missing) in one transaction. */
  async add(rows: PortMappingRow[]): Promise<void> {
    await this.ensureChains();
    const lines: { table: Table; line: string }[] = [];
    const listing = await this.list();
    for (const bridge of new Set(rows.filter((r) => ipFamily(r.hostIp) === 4).map((r) => r.bridge))) {
      if (!listing.some((l) => l.fields.includes(`berth-b:${bridge}`))) {
        const rule = this.bridgeRule(bridge);
        lines.push({ table: rule.table, line: ['-A', rule.chain, ...rule.args].join(' ') });
        setRouteLocalnet(bridge);
      }
    }
    for (const rule of this.rulesForAll(rows)) lines.push({ table: rule.table, line: ['-A', rule.chain, ...rule.args].join(' ') });
    if (lines.length > 0) await this.run.restore(restoreScript(lines));
  }

  /** Every rule in Berth's port chains, with its fields as listed. */
  async list(): Promise<{ table: Table; chain: string; fields: string[] }[]> {
    const out: { table: Table; chain: string; fields: string[] }[] = [];
    for (const [table, chain] of [['nat', this.dnatChain], ['nat', this.masqChain], ['filter', this.forwardChain]] as const) {
      let text: string;
      try {
        text = await this.run.iptables(['-t', table, '-S', chain]);
      } catch (err) {
        if (isExit1(err)) continue; // no such chain
        throw err;
      }
      for (const line of text.split('\n')) {
        const fields = listingFields(line);
        if (fields[0] === '-A' && fields[1] === chain) out.push({ table, chain, fields: fields.slice(2) });
      }
    }
    return out;
  }

  /** Deletes the listed rules whose owner field passes `doomed`; returns how many. */
  async removeWhere(doomed: (owner: string) => boolean): Promise<number> {
    const victims = (await this.list()).filter((r) => r.fields.some((f) => /^berth-[cb]:/.test(f) && doomed(f)));
    if (victims.length === 0) return 0;
    const lines = victims.map((v) => ({ table: v.table, line: ['-D', v.chain, ...v.fields].join(' ') }));
    try {
      await this.run.restore(restoreScript(lines));
    } catch {
      // One rule already gone fails the whole batch: delete one by one, a missing rule being fine.
      for (const v of victims) await this.run.iptables(['-t', v.table, '-D', v.chain, ...v.fields]).catch((err: unknown) => { if (!isExit1(err)) throw err; });
    }
    return victims.length;
  }

  removeContainer(containerId: string): Promise<number> {
    return this.removeWhere((owner) => owner === `berth-c:${containerId}`);
  }

  removeBridge(bridge: string): Promise<number> {
    return this.removeWhere((owner) => owner === `berth-b:${bridge}`);
  }

  /** Removes the jumps and the chains (with whatever is left in them). */
  async teardown(): Promise<void> {
    for (const j of this.jumps()) {
      // A jump added twice (two processes racing) is deleted until none is left.
      for (let i = 0; i < 8; i++) {
        try {
          await this.run.iptables(['-t', j.table, '-D', j.chain, ...j.args]);
        } catch (err) {
          if (!isExit1(err) && !(err instanceof CommandError && err.exitCode === 2)) throw err;
          break;
        }
      }
    }
    for (const [table, chain] of [['nat', this.dnatChain], ['nat', this.masqChain], ['filter', this.forwardChain]] as const) {
      for (const op of ['-F', '-X']) {
        await this.run.iptables(['-t', table, op, chain]).catch((err: unknown) => { if (!isExit1(err)) throw err; });
      }
    }
    this.chainsReady = false;
  }
}

/** Lets packets from 127.0.0.1 be routed out of the bridge once DNATed (the kernel drops them otherwise). */
function setRouteLocalnet(bridge: string): void {
  try {
    fs.writeFileSync(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1');
  } catch {
    // No such bridge yet (tests with fake runners) or no /proc: loopback publishing then goes through the held socket's proxy.
  }
}
