import { RpcError } from '@berth/rpc';

const VALID_OPTIONS = new Set(['type', 'o', 'device', 'size']);
const REQUIRED_WITH: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] };

/** Parses a size such as 10m or 1g (binary units, as docker's RAMInBytes). */
function ramInBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(value.trim());
  if (!m) throw RpcError.invalidArgument(`invalid size: '${value}'`);
  const power = ' kmgtp'.indexOf(m[2].toLowerCase() || ' ');
  return Math.floor(Number(m[1]) * 1024 ** Math.max(0, power));
}

/** The local driver's DriverOpts checks, in dockerd's order and wording. */
export function validateDriverOptions(name: string, opts: Record<string, string>): void {
  for (const key of Object.keys(opts)) {
    if (!VALID_OPTIONS.has(key)) throw RpcError.invalidArgument(`create ${name}: invalid option: "${key}"`);
  }
  if (opts.size !== undefined && ramInBytes(opts.size) > 0) {
    throw RpcError.invalidArgument(`create ${name}: quota size requested but no quota support`);
  }
  for (const [key, required] of Object.entries(REQUIRED_WITH)) {
    if (opts[key] === undefined) continue;
    for (const r of required) {
      if (opts[r] === undefined) throw RpcError.invalidArgument(`create ${name}: missing required option: "${r}"`);
    }
  }
}

/** Whether the volume's directory is a mount made on first use rather than a plain directory. */
export function needsMount(opts: Record<string, string>): boolean {
  return opts.type !== undefined || opts.device !== undefined;
}

/** Arguments for mount(8): `-t type [-o opts] device target`. A bind needs no type. */
export function mountArguments(opts: Record<string, string>, target: string): string[] {
  const args: string[] = [];
  const o = opts.o ?? '';
  const isBind = o.split(',').some((x) => x === 'bind' || x === 'rbind');
  if (opts.type && !(isBind && opts.type === 'none')) args.push('-t', opts.type);
  if (o) args.push('-o', o);
  args.push(opts.device ?? 'none', target);
  return args;
}
