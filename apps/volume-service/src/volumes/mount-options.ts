import * as net from 'node:net';

/** The parts of a volume's DriverOpts that make up its mount. */
export interface MountSpec {
  type: string;
  device: string;
  /** The `o` option, comma-separated, as given. */
  options: string;
}

export function mountSpec(opts: Record<string, string>): MountSpec {
  return { type: opts.type ?? '', device: opts.device ?? '', options: opts.o ?? '' };
}

// Linux MS_* values.
const MS = {
  RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, SYNCHRONOUS: 0x10, REMOUNT: 0x20, MANDLOCK: 0x40,
  DIRSYNC: 0x80, NOATIME: 0x400, NODIRATIME: 0x800, BIND: 0x1000, REC: 0x4000, UNBINDABLE: 0x20000,
  PRIVATE: 0x40000, SLAVE: 0x80000, SHARED: 0x100000, RELATIME: 0x200000, STRICTATIME: 0x1000000,
} as const;
const PROPAGATION_TYPES = MS.SHARED | MS.PRIVATE | MS.SLAVE | MS.UNBINDABLE;

/** Option words that are mount flags rather than filesystem data ([clear?, flag]). */
const FLAG_OPTIONS: Record<string, [boolean, number]> = {
  ro: [false, MS.RDONLY], rw: [true, MS.RDONLY],
  suid: [true, MS.NOSUID], nosuid: [false, MS.NOSUID],
  dev: [true, MS.NODEV], nodev: [false, MS.NODEV],
  exec: [true, MS.NOEXEC], noexec: [false, MS.NOEXEC],
  sync: [false, MS.SYNCHRONOUS], async: [true, MS.SYNCHRONOUS],
  dirsync: [false, MS.DIRSYNC], remount: [false, MS.REMOUNT],
  mand: [false, MS.MANDLOCK], nomand: [true, MS.MANDLOCK],
  atime: [true, MS.NOATIME], noatime: [false, MS.NOATIME],
  diratime: [true, MS.NODIRATIME], nodiratime: [false, MS.NODIRATIME],
  bind: [false, MS.BIND], rbind: [false, MS.BIND | MS.REC],
  unbindable: [false, MS.UNBINDABLE], runbindable: [false, MS.UNBINDABLE | MS.REC],
  private: [false, MS.PRIVATE], rprivate: [false, MS.PRIVATE | MS.REC],
  shared: [false, MS.SHARED], rshared: [false, MS.SHARED | MS.REC],
  slave: [false, MS.SLAVE], rslave: [false, MS.SLAVE | MS.REC],
  relatime: [false, MS.RELATIME], norelatime: [true, MS.RELATIME],
  strictatime: [false, MS.STRICTATIME], nostrictatime: [true, MS.STRICTATIME],
};

/**
 * Splits `o` into mount flags and the data string handed to the
 * filesystem, the way dockerd's mount package does; used to describe a
 * failed mount in dockerd's words.
 */
export function parseMountOptions(options: string): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const o of options.split(',')) {
    const f = FLAG_OPTIONS[o];
    if (f) flags = f[0] ? flags & ~f[1] : flags | f[1];
    else data.push(o);
  }
  return { flags, data: data.join(',') };
}

/** dockerd's error text for a failed mount(2): `mount dev:target, flags: 0x.., data: ..: reason`. */
export function describeMountFailure(spec: MountSpec, target: string, reason: string): string {
  const { flags, data } = parseMountOptions(spec.options);
  const shown = flags & ~PROPAGATION_TYPES;
  let out = `mount ${spec.device ? `${spec.device}:${target}` : target}`;
  if (shown !== 0) out += `, flags: 0x${shown.toString(16)}`;
  if (data !== '') out += `, data: ${data}`;
  return `${out}: ${reason}`;
}

/**
 * mount(8) reports failures in its own words; the errno they stand for,
 * spelled as Go spells it, is what dockerd shows. Unknown text is kept.
 */
export function mountFailureReason(stderr: string, target: string): string {
  const text = stderr.trim().split('\n')[0] ?? '';
  const rules: [RegExp, string][] = [
    [/wrong fs type, bad option|bad superblock|invalid argument/i, 'invalid argument'],
    [/unknown filesystem type/i, 'no such device'],
    [/does not exist|no such file or directory/i, 'no such file or directory'],
    [/must be superuser|operation not permitted/i, 'operation not permitted'],
    [/permission denied/i, 'permission denied'],
    [/already mounted|busy/i, 'device or resource busy'],
    [/not a directory/i, 'not a directory'],
    [/not a block device/i, 'block device required'],
    [/connection refused/i, 'connection refused'],
    [/timed out/i, 'connection timed out'],
  ];
  for (const [re, reason] of rules) if (re.test(text)) return reason;
  return text.replace(/^mount(?:\.\w+)?: /, '').replace(`${target}: `, '') || 'mount failed';
}

/** Hides a `password=` option from messages, as dockerd does. */
export function redactPassword(message: string, options: string): string {
  const password = options.split(',').find((o) => o.startsWith('password='))?.slice('password='.length);
  return password ? message.split(`password=${password}`).join('password=********') : message;
}

export type Resolver = (host: string) => Promise<string>;

/**
 * The device and options actually passed to mount for nfs and cifs: a host
 * name in `addr=` (or in a cifs device URL) is resolved to an address,
 * because the kernel takes addresses only. Other types pass through.
 */
export async function resolveNetworkSource(spec: MountSpec, resolve: Resolver): Promise<MountSpec> {
  if (spec.type !== 'nfs' && spec.type !== 'cifs') return spec;
  const addr = spec.options.split(',').find((o) => o.startsWith('addr='))?.slice('addr='.length) ?? '';
  if (addr !== '' && net.isIPv4(addr) === false) {
    const ip = await resolveOrExplain(resolve, addr);
    return { ...spec, options: spec.options.replace(`addr=${addr}`, `addr=${ip}`) };
  }
  if (spec.type !== 'cifs') return spec;
  const m = /^((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/(?:[^/?#@]*@)?)([^/?#:]*)(.*)$/s.exec(spec.device);
  if (!m || m[2] === '' || net.isIP(m[2]) !== 0) return spec;
  const ip = await resolveOrExplain(resolve, m[2]);
  return { ...spec, device: `${m[1]}${ip}${m[3]}` };
}

async function resolveOrExplain(resolve: Resolver, host: string): Promise<string> {
  try {
    return await resolve(host);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'ENOTFOUND' || code === 'EAI_NONAME' ? 'no such host' : err instanceof Error ? err.message : String(err);
    throw new Error(`error resolving passed in network volume address: lookup ${host}: ${why}`);
  }
}
