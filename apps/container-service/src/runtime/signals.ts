import * as os from 'node:os';

/** A signal by name (`KILL`, `SIGKILL`, `kill`) or number, as dockerd's signal.ParseSignal. */
export function parseSignal(raw: string): number {
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n === 0 || n > 64) throw new Error(`Invalid signal: ${raw}`);
    return n;
  }
  const name = s.toUpperCase().replace(/^SIG/, '');
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name) ?? /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rt) return name.startsWith('RTMIN') ? 34 + Number(rt[1] ?? 0) : 64 - Number(rt[1] ?? 0);
  const n = (os.constants.signals as Record<string, number>)[`SIG${name}`];
  if (n === undefined) throw new Error(`Invalid signal: ${raw}`);
  return n;
}
