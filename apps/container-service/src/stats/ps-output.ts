/** `docker top`'s handling of ps: argument checks and output parsing, as dockerd's top_unix.go does them. */

export interface TopResult {
  titles: string[];
  processes: string[][];
}

/** ps may not be told to rename its PID column (`-o user=PID`): the filter finds processes by that title. */
export function validatePsArgs(psArgs: string): void {
  const re = /\s+(\S*)=\s*(PID\S*)/g;
  for (const m of psArgs.matchAll(re)) {
    if (m[1] !== 'pid') throw new Error(`specifying "${m[1]}=${m[2]}" is not allowed`);
  }
}

/** Splits on ASCII whitespace only, as dockerd does (a Unicode space may be part of a command). */
export function fieldsAscii(s: string): string[] {
  return s.split(/[\t\n\f\r ]+/).filter((f) => f !== '');
}

/** The last title takes the rest of the line: commands have spaces. */
function row(titles: string[], fields: string[]): string[] {
  const n = titles.length - 1;
  return [...fields.slice(0, n), fields.slice(n).join(' ')];
}

/**
 * Keeps the rows of ps's output whose PID is one of `pids`. A `-` PID is a
 * thread line (`-L`, `m`): it belongs to the process row above it.
 */
export function parsePsOutput(output: string, pids: readonly number[]): TopResult {
  const lines = output.split('\n');
  const titles = fieldsAscii(lines[0] ?? '');
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new Error("Couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const processes: string[][] = [];
  let inContainer = false;
  for (const line of lines.slice(1)) {
    if (line.length === 0) continue;
    const fields = fieldsAscii(line);
    const pidField = fields[pidIndex] ?? '';
    if (pidField === '-') {
      if (inContainer) processes.push(row(titles, fields));
      continue;
    }
    if (!/^[+-]?\d+$/.test(pidField)) throw new Error(`Unexpected pid '${pidField}': strconv.Atoi: parsing ${JSON.stringify(pidField)}: invalid syntax`);
    inContainer = wanted.has(Number(pidField));
    if (inContainer) processes.push(row(titles, fields));
  }
  return { titles, processes };
}

/** ps's `-q` list: only these processes (quick mode), so ps does not walk the whole host. */
export function psPidsArg(pids: readonly number[]): string {
  return `-q${pids.join(',')}`;
}
