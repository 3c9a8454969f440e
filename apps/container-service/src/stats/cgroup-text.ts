/**
 * Parsers for the text files of cgroup v1 controllers. Counters are uint64 in
 * the kernel and some (hierarchical limits, memory.limit_in_bytes when unset)
 * exceed 2^53, so every value is a bigint.
 */

/** One row of a blkio file, as Docker's BlkioStatEntry. */
export interface BlkioEntry {
  major: bigint;
  minor: bigint;
  op: string;
  value: bigint;
}

function uint(text: string): bigint | undefined {
  return /^\d+$/.test(text) ? BigInt(text) : undefined;
}

/** A file holding one number (memory.usage_in_bytes, cpuacct.usage, pids.current). `max` (pids.max unlimited) is 0, as containerd reports it. */
export function parseSingleValue(text: string): bigint {
  const t = text.trim();
  if (t === 'max') return 0n;
  const v = uint(t);
  if (v === undefined) throw new Error(`invalid cgroup value ${JSON.stringify(t)}`);
  return v;
}

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat). Lines that do not parse are skipped. */
export function parseKeyValues(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const [key, value, ...rest] = line.trim().split(/\s+/);
    if (!key || value === undefined || rest.length > 0) continue;
    const v = uint(value);
    if (v !== undefined) out.set(key, v);
  }
  return out;
}

/** Whitespace-separated numbers on one line (cpuacct.usage_percpu). */
export function parseValueList(text: string): bigint[] {
  return text.trim().split(/\s+/).filter((s) => s !== '').map((s) => parseSingleValue(s));
}

/**
 * blkio files: `MAJ:MIN Op value` lines, or `MAJ:MIN value` for files
 * without an operation; the closing `Total N` line is not an entry
 * (containerd's reading, which dockerd reports).
 */
export function parseBlkio(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/[\s:]+/).filter((s) => s !== '');
    if (fields.length === 0) continue;
    if (fields.length === 2 && fields[0] === 'Total') continue;
    if (fields.length < 3) throw new Error(`invalid blkio line ${JSON.stringify(line)}`);
    const major = uint(fields[0]);
    const minor = uint(fields[1]);
    const op = fields.length === 4 ? fields[2] : '';
    const value = uint(fields[fields.length === 4 ? 3 : 2]);
    if (major === undefined || minor === undefined || value === undefined) throw new Error(`invalid blkio line ${JSON.stringify(line)}`);
    out.push({ major, minor, op, value });
  }
  return out;
}

/**
 * `/proc/<pid>/cgroup`: controller → path in its hierarchy. A joint mount
 * (`cpu,cpuacct`) gives each of its controllers the same path; named
 * hierarchies (`name=systemd`) and the unified one are left out.
 */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m || m[1] === '') continue;
    for (const controller of m[1].split(',')) {
      if (!controller.startsWith('name=')) out.set(controller, m[2]);
    }
  }
  return out;
}
