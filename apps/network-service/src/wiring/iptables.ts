import { CommandError, runCommand } from '@berth/host';

export type Table = 'nat' | 'filter';

/**
 * Every rule Berth adds for a bridge carries this comment, so the rules of
 * one bridge can be found and removed again (several Berths may share a host).
 */
export function ruleComment(bridge: string): string {
  return `berth:${bridge}`;
}

/** `-w`: wait for the xtables lock instead of failing when another process holds it. */
async function iptables(args: string[]): Promise<string> {
  return (await runCommand('iptables', ['-w', ...args])).stdout;
}

/** Adds the rule unless it is there; `insert` puts it first in the chain (before any DROP). */
export async function ensureRule(table: Table, chain: string, rule: string[], insert = false): Promise<void> {
  try {
    await iptables(['-t', table, '-C', chain, ...rule]);
    return;
  } catch (err) {
    // Exit status 1: no such rule. Anything else (no iptables, bad rule) is a real failure.
    if (!(err instanceof CommandError) || err.exitCode !== 1) throw err;
  }
  await iptables(['-t', table, insert ? '-I' : '-A', chain, ...rule]);
}

/** Deletes every rule of `chain` carrying `comment`. */
export async function deleteRulesWithComment(table: Table, chain: string, comment: string): Promise<number> {
  const listing = await iptables(['-t', table, '-S', chain]);
  let deleted = 0;
  for (const line of listing.split('\n')) {
    // nft-based iptables prints the comment quoted, legacy iptables does not; ours have no spaces, so the listing splits back into arguments.
    const fields = line.trim().split(/\s+/).map((f) => f.replace(/^"(.*)"$/, '$1'));
    if (fields[0] !== '-A' || !fields.includes(comment)) continue;
    await iptables(['-t', table, '-D', ...fields.slice(1)]).catch((err: unknown) => {
      if (!(err instanceof CommandError) || err.exitCode !== 1) throw err;
    });
    deleted++;
  }
  return deleted;
}
