import * as fs from 'node:fs';
import { runCommand } from '@berth/host';
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
  /** `iptables-save -t <table>`. */
  save(table: Table): Promise<string>;
  /** `iptables-restore -w --noflush` of `input`, all or nothing. */
  restore(input: string): Promise<void>;
}

export const hostIptables: IptablesRunner = {
  async save(table) {
    return (await runCommand('iptables-save', ['-t', table])).stdout;
  },
  async restore(input) {
    await runCommand('iptables-restore', ['-w', '--noflush'], { input });
  },
};

/** A listed rule: its table, chain and the fields after `-A <chain>`. */
export interface ListedRule {
  table: Table;
  chain: string;
  fields: string[];
}

/** What iptables holds now: chains as "table chain", and every rule. */
export interface Snapshot {
  chains: Set<string>;
  rules: ListedRule[];
}

/** A listing line back into arguments: iptables-save quotes comments, ours hold no spaces. */
function listingFields(line: string): string[] {
  return line.trim().split(/\s+/).map((f) => f.replace(/^"(.*)"$/, '$1'));
}

/** iptables-save output of one table → its chains and rules. */
export function parseSave(table: Table, text: string, into: Snapshot): void {
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) into.chains.add(`${table} ${line.slice(1).split(/\s+/)[0]}`);
    else if (line.startsWith('-A ')) {
      const fields = listingFields(line);
      into.rules.push({ table, chain: fields[1], fields: fields.slice(2) });
    }
  }
}

type Line = { table: Table; line: string };

function restoreScript(lines: Line[]): string {
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
 *   route_localnet) and of a container reaching its own published UDP/SCTP port;
 * - filter BERTH-PORTS-T (first in FORWARD): ACCEPT of DNATed traffic to and
 *   from the published container port, for hosts whose FORWARD policy drops;
 * - filter BERTH-LOIN-T (first in INPUT): DROP of new connections from a
 *   bridge to 127.0.0.0/8, which route_localnet would otherwise let in.
 * Every rule carries `berth:T` (the instance's mark, which its cleanup looks
 * for) and `berth-c:<container id>` or `berth-b:<bridge>` (whose it is).
 * Each change is one snapshot (iptables-save of both tables) and one
 * iptables-restore transaction: a few process starts per publish, not dozens.
 */
export class PortRules {
  readonly dnatChain: string;
  readonly masqChain: string;
  readonly forwardChain: string;
  readonly inputChain: string;
  private readonly mark: string;
  /** This process made (or saw) the chains and jumps, and these bridges' loopback rules: publish can skip looking. */
  private chainsKnown = false;
  private readonly bridgesKnown = new Set<string>();

  constructor(readonly tag: string, private readonly run: IptablesRunner = hostIptables) {
    this.dnatChain = `BERTH-DNAT-${tag}`;
    this.masqChain = `BERTH-PMASQ-${tag}`;
    this.forwardChain = `BERTH-PORTS-${tag}`;
    this.inputChain = `BERTH-LOIN-${tag}`;
    this.mark = `berth:${tag}`;
  }

  private ownChains(): [Table, string][] {
    return [['nat', this.dnatChain], ['nat', this.masqChain], ['filter', this.forwardChain], ['filter', this.inputChain]];
  }

  private comment(owner: string): string[] {
    return ['-m', 'comment', '--comment', this.mark, '-m', 'comment', '--comment', owner];
  }

  /** The jumps into Berth's chains, and whether each goes first in its builtin chain. */
  private jumps(): (Rule & { insert: boolean })[] {
    const mark = ['-m', 'comment', '--comment', this.mark];
    return [
      { table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', ...mark, '-j', this.dnatChain], insert: false },
      { table: 'nat', chain: 'OUTPUT', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', ...mark, '-j', this.dnatChain], insert: false },
      { table: 'nat', chain: 'POSTROUTING', args: [...mark, '-j', this.masqChain], insert: true },
      { table: 'filter', chain: 'FORWARD', args: [...mark, '-j', this.forwardChain], insert: true },
      { table: 'filter', chain: 'INPUT', args: [...mark, '-j', this.inputChain], insert: true },
    ];
  }

  /**
   * The rules one published address needs; IPv6 addresses have none (their
   * socket proxies). A TCP port is not DNATed for the container itself: its
   * packets would have to leave by the bridge port they came in on, which a
   * bridge refuses unless that port is in hairpin mode; they reach the held
   * socket instead, whose proxy answers. Other protocols have no proxy, so
   * their DNAT covers the container too, with the MASQUERADE that hairpin
   * traffic needs.
   */
  rulesFor(row: PortMappingRow): Rule[] {
    if (ipFamily(row.hostIp) === 6) return [];
    const owner = this.comment(`berth-c:${row.containerId}`);
    const proto = ['-p', row.proto, '-m', row.proto];
    const dest = row.hostIp === '0.0.0.0' ? [] : ['-d', `${row.hostIp}/32`];
    const cip = `${row.containerIp}/32`;
    const dnated = ['-m', 'conntrack', '--ctstate', 'DNAT'];
    const tcp = row.proto === 'tcp';
    return [
      { table: 'nat', chain: this.dnatChain, args: [...(tcp ? ['!', '-s', cip] : []), ...dest, ...proto, '--dport', String(row.hostPort), ...owner, '-j', 'DNAT', '--to-destination', `${row.containerIp}:${row.containerPort}`] },
      ...(tcp ? [] : [{ table: 'nat' as const, chain: this.masqChain, args: ['-s', cip, '-d', cip, ...proto, '--dport', String(row.containerPort), ...owner, '-j', 'MASQUERADE'] }]),
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

  /**
   * The bridge-wide rules for loopback clients: their 127.0.0.1 source
   * becomes the bridge's address; and, since route_localnet also lets a
   * container send to 127.0.0.1 through its gateway, such packets are dropped
   * unless they answer a connection the host opened (services the host binds
   * to 127.0.0.1 stay the host's).
   */
  bridgeRules(bridge: string): Rule[] {
    const owner = this.comment(`berth-b:${bridge}`);
    return [
      { table: 'nat', chain: this.masqChain, args: ['-o', bridge, '-m', 'addrtype', '--src-type', 'LOCAL', ...owner, '-j', 'MASQUERADE'] },
      { table: 'filter', chain: this.inputChain, args: ['-i', bridge, '-d', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED', ...owner, '-j', 'DROP'] },
    ];
  }

  async snapshot(): Promise<Snapshot> {
    const snap: Snapshot = { chains: new Set(), rules: [] };
    for (const table of ['nat', 'filter'] as const) parseSave(table, await this.run.save(table), snap);
    return snap;
  }

  /** The rules in Berth's port chains. */
  async list(): Promise<ListedRule[]> {
    const own = new Set(this.ownChains().map(([t, c]) => `${t} ${c}`));
    return (await this.snapshot()).rules.filter((r) => own.has(`${r.table} ${r.chain}`));
  }

  /** Lines creating whatever chain or jump is missing. */
  private ensureLines(snap: Snapshot): Line[] {
    const lines: Line[] = [];
    for (const [table, chain] of this.ownChains()) if (!snap.chains.has(`${table} ${chain}`)) lines.push({ table, line: `:${chain} - [0:0]` });
    for (const j of this.jumps()) {
      const target = j.args[j.args.length - 1];
      const present = snap.rules.some((r) => r.table === j.table && r.chain === j.chain && r.fields.includes(this.mark) && r.fields.at(-1) === target);
      if (!present) lines.push({ table: j.table, line: [j.insert ? `-I ${j.chain} ${this.insertAt(snap, j.table, j.chain)}` : `-A ${j.chain}`, ...j.args].join(' ') });
    }
    return lines;
  }

  /**
   * Where a jump that goes first is inserted (1-based): first, except right
   * after network-service's own jump of the instance (BERTH-FWD-T, BERTH-POST-T)
   * when that is there, so that its isolation rules decide before the
   * published ports are accepted, in dockerd's order.
   */
  private insertAt(snap: Snapshot, table: Table, chain: string): number {
    const rules = snap.rules.filter((r) => r.table === table && r.chain === chain);
    const own = new Set([`BERTH-FWD-${this.tag}`, `BERTH-POST-${this.tag}`]);
    const at = rules.findIndex((r) => r.fields.includes(this.mark) && own.has(r.fields.at(-1) ?? ''));
    return at < 0 ? 1 : at + 2;
  }

  /** Creates the chains and jumps unless they are there. */
  async ensureChains(): Promise<void> {
    const lines = this.ensureLines(await this.snapshot());
    if (lines.length > 0) await this.run.restore(restoreScript(lines));
  }

  /** Adds the rows' rules (with the chains, jumps and bridge loopback rule when missing) in one transaction. */
  async add(rows: PortMappingRow[]): Promise<void> {
    const bridges = new Set(rows.filter((r) => ipFamily(r.hostIp) === 4).map((r) => r.bridge));
    for (const bridge of bridges) setRouteLocalnet(bridge);
    const ruleLines = this.rulesForAll(rows).map((rule) => ({ table: rule.table, line: ['-A', rule.chain, ...rule.args].join(' ') }));
    // Fast path: the chains, jumps and loopback rules this process made are most likely still there; one transaction.
    if (this.chainsKnown && [...bridges].every((b) => this.bridgesKnown.has(b))) {
      try {
        if (ruleLines.length > 0) await this.run.restore(restoreScript(ruleLines));
        return;
      } catch {
        this.forget(); // someone removed them: look first
      }
    }
    const snap = await this.snapshot();
    const lines = this.ensureLines(snap);
    for (const bridge of bridges) {
      for (const rule of this.bridgeRules(bridge)) {
        if (!snap.rules.some((r) => r.chain === rule.chain && r.fields.includes(`berth-b:${bridge}`))) lines.push({ table: rule.table, line: ['-A', rule.chain, ...rule.args].join(' ') });
      }
    }
    lines.push(...ruleLines);
    if (lines.length > 0) await this.run.restore(restoreScript(lines));
    this.chainsKnown = true;
    for (const b of bridges) this.bridgesKnown.add(b);
  }

  private forget(): void {
    this.chainsKnown = false;
    this.bridgesKnown.clear();
  }

  /**
   * Removes a container's rules (as `add` made them from `rows`), the
   * loopback rules of `freedBridges` and, with `teardown`, the jumps and
   * chains: one transaction naming the rules exactly, or, when one of them is
   * missing, the same by listing.
   */
  async remove(containerId: string, rows: PortMappingRow[], freedBridges: Set<string>, teardown: boolean): Promise<void> {
    const lines: Line[] = this.rulesForAll(rows).map((rule) => ({ table: rule.table, line: ['-D', rule.chain, ...rule.args].join(' ') }));
    for (const b of freedBridges) {
      for (const rule of this.bridgeRules(b)) lines.push({ table: rule.table, line: ['-D', rule.chain, ...rule.args].join(' ') });
    }
    if (teardown) {
      for (const j of this.jumps()) lines.push({ table: j.table, line: ['-D', j.chain, ...j.args].join(' ') });
      for (const [table, chain] of this.ownChains()) lines.push({ table, line: `-F ${chain}` }, { table, line: `-X ${chain}` });
    }
    try {
      if (lines.length > 0) await this.run.restore(restoreScript(lines));
    } catch {
      await this.removeWhere((owner) => owner === `berth-c:${containerId}` || (owner.startsWith('berth-b:') && freedBridges.has(owner.slice('berth-b:'.length))), teardown);
    }
    for (const b of freedBridges) this.bridgesKnown.delete(b);
    if (teardown) this.forget();
  }

  /**
   * Deletes the rules of Berth's chains whose owner field passes `doomed`;
   * with `teardown`, also the jumps and the chains themselves (nothing of
   * the instance's ports is left). Returns how many rules went.
   */
  async removeWhere(doomed: (owner: string) => boolean, teardown = false): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const snap = await this.snapshot();
      const own = new Set(this.ownChains().map(([t, c]) => `${t} ${c}`));
      const victims = snap.rules.filter((r) => own.has(`${r.table} ${r.chain}`)
        && (teardown || r.fields.some((f) => /^berth-[cb]:/.test(f) && doomed(f))));
      const lines: Line[] = victims.map((v) => ({ table: v.table, line: ['-D', v.chain, ...v.fields].join(' ') }));
      if (teardown) {
        const targets = new Set(this.ownChains().map(([, c]) => c));
        for (const r of snap.rules) {
          if (!own.has(`${r.table} ${r.chain}`) && r.fields.includes(this.mark) && targets.has(r.fields.at(-1) ?? '')) {
            lines.push({ table: r.table, line: ['-D', r.chain, ...r.fields].join(' ') });
          }
        }
        for (const [table, chain] of this.ownChains()) {
          if (snap.chains.has(`${table} ${chain}`)) lines.push({ table, line: `-F ${chain}` }, { table, line: `-X ${chain}` });
        }
      }
      if (teardown) this.forget();
      if (lines.length === 0) return 0;
      try {
        await this.run.restore(restoreScript(lines));
        return victims.length;
      } catch (err) {
        // Someone changed the tables between our snapshot and the transaction: look again once.
        if (attempt >= 2) throw err;
      }
    }
  }

  removeContainer(containerId: string): Promise<number> {
    return this.removeWhere((owner) => owner === `berth-c:${containerId}`);
  }

  /** Removes the jumps and the chains, with whatever is left in them. */
  async teardown(): Promise<void> {
    await this.removeWhere(() => true, true);
  }
}

/** Lets packets from 127.0.0.1 be routed out of the bridge once DNATed (the kernel drops them otherwise). */
function setRouteLocalnet(bridge: string): void {
  try {
    fs.writeFileSync(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1');
  } catch {
    // No such bridge (tests with a fake iptables) or no /proc: loopback clients then reach the container through the held socket's proxy.
  }
}
