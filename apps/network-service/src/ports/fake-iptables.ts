import { CommandError } from '@berth/host';
import type { IptablesRunner } from './port-rules';

function exit1(args: string[], stderr: string): CommandError {
  return new CommandError('iptables', args, { exitCode: 1, signal: null, stdout: '', stderr });
}

const BUILTIN: Record<string, string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/**
 * An in-memory iptables for unit tests: tables of chains of rules (each rule
 * its argument string), with iptables-save and the all-or-nothing
 * iptables-restore (chain declarations, -A/-I/-D/-F/-X) that PortRules uses.
 */
export class FakeIptables implements IptablesRunner {
  tables = new Map<string, Map<string, string[]>>();
  calls = 0;

  constructor() {
    for (const [table, chains] of Object.entries(BUILTIN)) this.tables.set(table, new Map(chains.map((c) => [c, []])));
  }

  rules(table: string, chain: string): string[] {
    return [...(this.tables.get(table)?.get(chain) ?? [])];
  }

  hasChain(table: string, chain: string): boolean {
    return this.tables.get(table)?.has(chain) ?? false;
  }

  /** Every rule anywhere that contains `text`. */
  find(text: string): string[] {
    const out: string[] = [];
    for (const [table, chains] of this.tables) for (const [chain, rules] of chains) for (const r of rules) if (r.includes(text)) out.push(`${table} ${chain} ${r}`);
    return out;
  }

  async save(table: 'nat' | 'filter'): Promise<string> {
    this.calls++;
    const chains = this.tables.get(table)!;
    const lines = [`*${table}`];
    for (const chain of chains.keys()) lines.push(`:${chain} ${BUILTIN[table].includes(chain) ? 'ACCEPT' : '-'} [0:0]`);
    for (const [chain, rules] of chains) for (const r of rules) lines.push(`-A ${chain} ${r.replace(/--comment (\S+)/g, '--comment "$1"')}`);
    lines.push('COMMIT');
    return lines.join('\n') + '\n';
  }

  async restore(input: string): Promise<void> {
    this.calls++;
    const copy = new Map([...this.tables].map(([t, chains]) => [t, new Map([...chains].map(([c, r]) => [c, [...r]]))]));
    let table = '';
    for (const raw of input.split('\n')) {
      const line = raw.trim();
      if (line === '' || line === 'COMMIT') continue;
      if (line.startsWith('*')) {
        table = line.slice(1);
        continue;
      }
      if (line.startsWith(':')) {
        this.apply(copy, ['-t', table, '-N', line.slice(1).split(/\s+/)[0]]);
        continue;
      }
      this.apply(copy, ['-t', table, ...line.split(/\s+/)]);
    }
    this.tables = copy;
  }

  private apply(tables: Map<string, Map<string, string[]>>, argv: string[]): string {
    const args = [...argv];
    let table = 'filter';
    if (args[0] === '-t') {
      table = args[1];
      args.splice(0, 2);
    }
    const chains = tables.get(table)!;
    const [op, chain, ...rest] = args;
    const rules = chains.get(chain);
    if (op === '-N') {
      if (rules) throw exit1(argv, 'Chain already exists.');
      chains.set(chain, []);
      return '';
    }
    if (!rules) throw exit1(argv, "No chain/target/match by that name.");
    switch (op) {
      case '-C':
        if (!rules.includes(rest.join(' '))) throw exit1(argv, 'Bad rule');
        return '';
      case '-A':
        rules.push(rest.join(' '));
        return '';
      case '-I': {
        const at = /^\d+$/.test(rest[0]) ? Number(rest.shift()) - 1 : 0;
        rules.splice(at, 0, rest.join(' '));
        return '';
      }
      case '-D': {
        const i = rules.indexOf(rest.join(' '));
        if (i < 0) throw exit1(argv, 'Bad rule');
        rules.splice(i, 1);
        return '';
      }
      case '-F':
        rules.length = 0;
        return '';
      case '-X':
        if (rules.length > 0 || BUILTIN[table].includes(chain)) throw exit1(argv, 'Directory not empty');
        if ([...chains.values()].some((rs) => rs.some((r) => r.endsWith(`-j ${chain}`)))) throw exit1(argv, 'Too many links');
        chains.delete(chain);
        return '';
      default:
        throw new Error(`fake iptables: ${argv.join(' ')}`);
    }
  }
}
