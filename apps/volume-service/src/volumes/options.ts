import { RpcError } from '@berth/rpc';
import { goQuote } from './names';

/** The DriverOpts the local driver knows. */
export const VALID_OPTIONS: readonly string[] = ['type', 'o', 'device', 'size'];

/** Options that only make sense together, checked in dockerd's order. */
const MANDATORY_OPTIONS: readonly [string, readonly string[]][] = [
  ['device', ['type']],
  ['type', ['device']],
  ['o', ['device', 'type']],
];

const has = (opts: Record<string, string>, key: string) => Object.prototype.hasOwnProperty.call(opts, key);

/**
 * Sizes such as `10m`, `1.5g` or `512KiB`, in binary units, as the docker
 * go-units RAMInBytes used by the dockerd release we compare against.
 */
export function ramInBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  if (!m) throw RpcError.invalidArgument(`invalid size: '${value}'`);
  if (!/^\d+(\.\d+)?$/.test(m[1])) throw RpcError.invalidArgument(`strconv.ParseFloat: parsing ${goQuote(m[1])}: invalid syntax`);
  const power = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.trunc(Number(m[1]) * 1024 ** power);
}

/** The authority's port of a URL-shaped device (`//host:445/share`), or '' — Go's url.Port(). */
function devicePort(device: string): string {
  const m = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/([^/?#]*)/.exec(device);
  if (!m) return '';
  const hostPort = m[1].slice(m[1].lastIndexOf('@') + 1);
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0 || hostPort.lastIndexOf(']') > colon) return '';
  const port = hostPort.slice(colon + 1);
  return /^\d*$/.test(port) ? port : '';
}

/**
 * The local driver's DriverOpts checks, in dockerd's order and wording.
 * There is no quota support, so any positive `size` is refused.
 */
export function validateDriverOptions(opts: Record<string, string>): void {
  const keys = Object.keys(opts);
  if (keys.length === 0) return;
  for (const key of keys) {
    if (!VALID_OPTIONS.includes(key)) throw RpcError.invalidArgument(`invalid option: ${goQuote(key)}`);
  }
  if (opts.type === 'cifs' && opts.device && devicePort(opts.device) !== '') {
    throw RpcError.invalidArgument("port not allowed in CIFS device URL, include 'port' in 'o='");
  }
  if (has(opts, 'size') && ramInBytes(opts.size) > 0) {
    throw RpcError.invalidArgument('quota size requested but no quota support');
  }
  for (const [key, required] of MANDATORY_OPTIONS) {
    if (!has(opts, key)) continue;
    for (const r of required) {
      if (!has(opts, r)) throw RpcError.invalidArgument(`missing required option: ${goQuote(r)}`);
    }
  }
}

/**
 * Whether the volume's `_data` is a mount made on first use (tmpfs, bind,
 * nfs...) rather than a plain directory: dockerd's needsMount.
 */
export function needsMount(opts: Record<string, string>): boolean {
  return Boolean(opts.type) || Boolean(opts.device);
}
