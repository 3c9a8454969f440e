import { accessSync, constants, lstatSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { CommandError, runCommand } from '@berth/host';

/**
 * What Node cannot do itself: extended attributes (no xattr API) and device
 * nodes (no mknod). Both go through Debian's binaries: `setfattr`/`getfattr`
 * from the `attr` package, `mknod` from coreutils. xattrs are batched (one
 * process per archive), device nodes are rare enough for one process each.
 */

const found = new Map<string, string | null>();

/**
 * The system calls behind xattrs and device nodes, for a process that must
 * not exec anything: container-service's fs helper works chrooted in a
 * container's root, where any `setfattr` it found would be the container's.
 * Errors carry `code` as Node's fs errors do.
 */
export interface ArchiveSyscalls {
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer;
  llistxattr(path: string): string[];
  mknod(path: string, mode: number, major: number, minor: number): void;
}

let syscalls: ArchiveSyscalls | null = null;

/** From now on, xattrs and device nodes go through these calls instead of Debian's binaries. */
export function useArchiveSyscalls(calls: ArchiveSyscalls): void {
  syscalls = calls;
}

/** The absolute path of a binary on PATH (or in sbin), or null; cached. */
export function findCommand(name: string): string | null {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  let result: string | null = null;
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      result = candidate;
      break;
    } catch {
      // next
    }
  }
  found.set(name, result);
  return result;
}

/** attr's tools report per-file trouble on stderr and go on: their output is wanted whatever the exit status. */
async function run(command: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // stdout as latin1: getfattr prints names and values as raw bytes.
  const r = await runCommand(command, args, { input: input ?? '', encoding: 'latin1', allowFailure: true });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** attr's quoting: bytes outside printable ASCII, and the backslash, as `\ooo`. */
export function quoteAttrText(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    out += byte <= 0x20 || byte >= 0x7f || byte === 0x5c || byte === 0x3d
      ? `\\${byte.toString(8).padStart(3, '0')}`
      : String.fromCharCode(byte);
  }
  return out;
}

/** Reverses attr's quoting; `s` holds bytes as latin1 characters. */
export function unquoteAttrText(s: string): string {
  const bytes = Buffer.from(s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8))), 'latin1');
  return bytes.toString('utf8');
}

const XATTR_NAME = /^[a-z]+\.[\x21-\x3c\x3e-\x5b\x5d-\x7e]+$/;

/** Whether an xattr name can go through setfattr's dump format unharmed. */
export function isTransportableXattrName(name: string): boolean {
  return XATTR_NAME.test(name);
}

/**
 * Sets many xattrs in one `setfattr -h --restore=-` run, never following a
 * final symlink. Returns one warning per attribute that could not be set
 * (ENOTSUP, EPERM, ...): dockerd logs those and goes on, and so do we.
 */
export async function setXattrs(entries: ReadonlyArray<{ path: string; xattrs: ReadonlyMap<string, Buffer> }>): Promise<string[]> {
  if (entries.length === 0) return [];
  if (syscalls !== null) {
    const warnings: string[] = [];
    for (const { path: p, xattrs } of entries) {
      for (const [name, value] of xattrs) {
        try {
          syscalls.lsetxattr(p, name, value);
        } catch (err) {
          warnings.push(`xattr not set: ${p}: ${name}: ${(err as Error).message}`);
        }
      }
    }
    return warnings;
  }
  const setfattr = findCommand('setfattr');
  if (setfattr === null) {
    return [`extended attributes not set on ${entries.length} file(s): setfattr not found (install Debian package attr)`];
  }
  let dump = '';
  for (const { path: p, xattrs } of entries) {
    dump += `# file: ${quoteAttrText(p)}\n`;
    for (const [name, value] of xattrs) dump += value.length === 0 ? `${name}=""\n` : `${name}=0s${value.toString('base64')}\n`;
    dump += '\n';
  }
  const { stderr } = await run(setfattr, ['-h', '--restore=-'], dump);
  return stderr.split('\n').filter((l) => l.trim() !== '').map((l) => `xattr not set: ${l}`);
}

/** Sets one xattr, failing loudly: for what a layer cannot do without (overlay opaque dirs). */
export async function setXattrStrict(target: string, name: string, value: string): Promise<void> {
  if (syscalls !== null) {
    syscalls.lsetxattr(target, name, Buffer.from(value));
    return;
  }
  const setfattr = findCommand('setfattr');
  if (setfattr === null) throw new Error(`cannot set ${name} on ${target}: setfattr not found (install Debian package attr)`);
  const { code, stderr } = await run(setfattr, ['-h', '-n', name, '-v', value, target]);
  if (code !== 0) throw new Error(`setfattr -n ${name} ${target}: ${stderr.trim()}`);
}

/**
 * Every xattr whose name matches `pattern` (a regular expression, getfattr's
 * `-m`) under `root`, by absolute path, read in one `getfattr -R` without
 * following symlinks. Null when getfattr is missing.
 */
export async function getXattrsRecursive(root: string, pattern: string): Promise<Map<string, Map<string, Buffer>> | null> {
  if (syscalls !== null) return xattrsByWalk(syscalls, root, pattern);
  const getfattr = findCommand('getfattr');
  if (getfattr === null) return null;
  const { stdout } = await run(getfattr, ['-R', '-P', '-h', '--absolute-names', '-d', '-m', pattern, '-e', 'base64', '--', root]);
  const result = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      result.set(unquoteAttrText(line.slice('# file: '.length)), current);
      continue;
    }
    if (line === '' || current === undefined) continue;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    const raw = eq < 0 ? '' : line.slice(eq + 1);
    let value: Buffer;
    if (raw.startsWith('0s')) value = Buffer.from(raw.slice(2), 'base64');
    else if (raw.startsWith('0x')) value = Buffer.from(raw.slice(2), 'hex');
    else if (raw.startsWith('"') && raw.endsWith('"')) value = Buffer.from(unquoteAttrText(raw.slice(1, -1)), 'utf8');
    else value = Buffer.from(raw, 'latin1');
    current.set(name, value);
  }
  return result;
}

/** getXattrsRecursive with the system calls: the same walk as `getfattr -R -P -h`, links not followed. */
function xattrsByWalk(calls: ArchiveSyscalls, root: string, pattern: string): Map<string, Map<string, Buffer>> {
  const match = pattern === '-' ? () => true : (name: string) => new RegExp(pattern).test(name);
  const result = new Map<string, Map<string, Buffer>>();
  const visit = (p: string): void => {
    let names: string[];
    try {
      names = calls.llistxattr(p).filter(match);
    } catch {
      names = [];
    }
    if (names.length > 0) {
      const attrs = new Map<string, Buffer>();
      for (const name of names) {
        try {
          attrs.set(name, calls.lgetxattr(p, name));
        } catch {
          // gone or refused since the listing: as getfattr, skip it
        }
      }
      if (attrs.size > 0) result.set(p, attrs);
    }
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st?.isDirectory()) return;
    let entries: string[];
    try {
      entries = readdirSync(p);
    } catch {
      return;
    }
    for (const e of entries) visit(p === '/' ? `/${e}` : `${p}/${e}`);
  };
  visit(root);
  return result;
}

export type NodeKind = 'character-device' | 'block-device' | 'fifo';

/** Creates a device node or FIFO with `mknod`, mode 0600 until the caller chmods it. */
export function mknod(target: string, kind: NodeKind, major = 0, minor = 0): Promise<void> {
  if (syscalls !== null) {
    const type = kind === 'fifo' ? constants.S_IFIFO : kind === 'character-device' ? constants.S_IFCHR : constants.S_IFBLK;
    try {
      syscalls.mknod(target, type | 0o600, major, minor);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }
  const command = findCommand('mknod') ?? 'mknod';
  const args = kind === 'fifo'
    ? ['-m', '0600', '--', target, 'p']
    : ['-m', '0600', '--', target, kind === 'character-device' ? 'c' : 'b', String(major), String(minor)];
  return runCommand(command, args).then(
    () => undefined,
    (err: unknown) => {
      if (!(err instanceof CommandError)) throw err;
      const e = new Error(`mknod ${target}: ${err.detail}`) as NodeJS.ErrnoException;
      // Callers decide by errno, as they would after mknod(2).
      e.code = /Operation not permitted/.test(err.stderr) ? 'EPERM' : /File exists/.test(err.stderr) ? 'EEXIST' : err.errno;
      throw e;
    },
  );
}

/** Major and minor numbers of a Linux dev_t (glibc's gnu_dev_major/minor). */
export function splitDevice(rdev: number): { major: number; minor: number } {
  const lo = rdev % 2 ** 32;
  const hi = Math.floor(rdev / 2 ** 32);
  const major = (((lo >>> 8) & 0xfff) | (hi & ~0xfff)) >>> 0;
  const minor = ((lo & 0xff) | ((lo >>> 12) & ~0xff) | ((hi << 20) & ~0xff)) >>> 0;
  return { major, minor };
}
