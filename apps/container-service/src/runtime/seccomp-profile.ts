/*
 * Seccomp profiles in the format dockerd reads (`--security-opt
 * seccomp=<json>`, and its own default): decoding them as dockerd does, and
 * specialising one for a container, which turns it into runc's
 * `linux.seccomp` section: the host's architectures from `archMap`, and the
 * rules whose `includes`/`excludes` (capabilities, architectures, minimum
 * kernel) fit this container.
 */

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface SeccompFilter {
  caps?: string[];
  /** Architectures by their libseccomp short names (amd64, x86, x32, arm64, ...). */
  arches?: string[];
  /** `<kernel>.<major>`, e.g. "4.8". */
  minKernel?: string;
}

export interface SeccompRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

export interface SeccompArchitecture {
  architecture: string;
  subArchitectures: string[];
}

export interface SeccompProfile {
  defaultAction?: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: SeccompArchitecture[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls: SeccompRule[];
}

/** runc's `linux.seccomp`. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: { names: string[]; action: string; errnoRet?: number; args?: SeccompArg[] }[];
}

/** The container a profile is specialised for. */
export interface SeccompTarget {
  /** The container's bounding set, as dockerd checks `caps` against it. */
  capabilities: readonly string[];
  /** The host's architecture by libseccomp's short name (amd64, arm64, ...). */
  arch: string;
  /** The running kernel: its release's first two numbers. */
  kernel: { major: number; minor: number };
}

/** A profile dockerd would refuse; the message is dockerd's. */
export class SeccompProfileError extends Error {
  constructor(message: string, readonly afterDecoding = false) {
    super(message);
    this.name = 'SeccompProfileError';
  }
}

/** libseccomp short name -> the spec's architecture. */
const SECCOMP_ARCH: Record<string, string> = {
  x86: 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mipsel64n32: 'SCMP_ARCH_MIPSEL64N32',
  mipsel: 'SCMP_ARCH_MIPSEL',
  ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
};

/** Node's `process.arch` -> libseccomp's short name. */
const NODE_ARCH: Record<string, string> = {
  ia32: 'x86',
  x64: 'amd64',
  arm: 'arm',
  arm64: 'arm64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsel',
  mips64el: 'mipsel64',
  ppc: 'ppc',
  ppc64: 'ppc64le', // Node runs little-endian on Linux ppc64
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
};

export function seccompArchOf(nodeArch: string): string {
  return NODE_ARCH[nodeArch] ?? nodeArch;
}

/** `6.18.0-1-amd64` -> 6.18 (dockerd reads only "%d.%d"). */
export function parseKernelRelease(release: string): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) throw new SeccompProfileError(`failed to parse kernel version "${release}"`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function parseMinKernel(v: string): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m || (m[1] === '0' && m[2] === '0')) throw new SeccompProfileError(`invalid kernel version: "${v}", expected "<kernel>.<major>"`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function kernelAtLeast(k: SeccompTarget['kernel'], min: string): boolean {
  const want = parseMinKernel(min);
  return k.major > want.major || (k.major === want.major && k.minor >= want.minor);
}

/** Does the filter hold for this container (every caps entry held, its arch listed, its kernel new enough)? */
function includesHold(f: SeccompFilter, t: SeccompTarget): boolean {
  if (f.arches?.length && !f.arches.includes(t.arch)) return false;
  if (f.caps?.length && !f.caps.every((c) => t.capabilities.includes(c))) return false;
  if (f.minKernel && !kernelAtLeast(t.kernel, f.minKernel)) return false;
  return true;
}

/** Does any part of the filter hold (one of its caps held, its arch listed, kernel at least)? */
function excludesHold(f: SeccompFilter, t: SeccompTarget): boolean {
  if (f.arches?.length && f.arches.includes(t.arch)) return true;
  if (f.caps?.length && f.caps.some((c) => t.capabilities.includes(c))) return true;
  if (f.minKernel && kernelAtLeast(t.kernel, f.minKernel)) return true;
  return false;
}

/**
 * The profile for one container as runc's section; undefined when the
 * profile names no default action and no rules (dockerd: no filter at all).
 */
export function specialiseProfile(profile: SeccompProfile, target: SeccompTarget): OciSeccomp | undefined {
  if (!profile.defaultAction && profile.syscalls.length === 0) return undefined;
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new SeccompProfileError("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const out: OciSeccomp = { defaultAction: profile.defaultAction ?? '' };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const architectures = [...(profile.architectures ?? [])];
  const native = SECCOMP_ARCH[target.arch];
  const mapped = native ? profile.archMap?.find((a) => a.architecture === native) : undefined;
  if (mapped) architectures.push(mapped.architecture, ...mapped.subArchitectures);
  if (architectures.length) out.architectures = architectures;
  if (profile.flags?.length) out.flags = [...profile.flags];
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) out.listenerMetadata = profile.listenerMetadata;
  const syscalls: NonNullable<OciSeccomp['syscalls']> = [];
  for (const rule of profile.syscalls) {
    if (rule.excludes && excludesHold(rule.excludes, target)) continue;
    if (rule.includes && !includesHold(rule.includes, target)) continue;
    const call: NonNullable<OciSeccomp['syscalls']>[number] = { names: [...rule.names], action: rule.action };
    if (rule.errnoRet !== undefined) call.errnoRet = rule.errnoRet;
    if (rule.args?.length) call.args = rule.args.map((a) => ({ ...a }));
    syscalls.push(call);
  }
  if (syscalls.length) out.syscalls = syscalls;
  return out;
}

// ---- decoding, as Go's encoding/json decodes dockerd's Seccomp type ----

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function jsonKind(v: Json): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

function typeError(v: Json, where: string, goType: string): SeccompProfileError {
  return new SeccompProfileError(`json: cannot unmarshal ${jsonKind(v)} into Go struct field ${where} of type ${goType}`);
}

/** Go matches JSON keys to fields case-insensitively, the exact spelling first. */
function field(obj: { [k: string]: Json }, name: string): Json | undefined {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

function str(obj: { [k: string]: Json }, name: string, where: string): string | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw typeError(v, `${where}.${name}`, 'string');
  return v;
}

function uint(obj: { [k: string]: Json }, name: string, where: string): number | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') throw typeError(v, `${where}.${name}`, 'uint');
  if (!Number.isInteger(v) || v < 0) throw new SeccompProfileError(`json: cannot unmarshal number ${v} into Go struct field ${where}.${name} of type uint`);
  // JSON.parse keeps 53 bits: refuse what would be silently rounded.
  if (!Number.isSafeInteger(v)) throw new SeccompProfileError(`${where}.${name}: ${v} is beyond the 2^53 a profile value can carry here`);
  return v;
}

function strings(obj: { [k: string]: Json }, name: string, where: string): string[] | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw typeError(v, `${where}.${name}`, '[]string');
  return v.map((e) => {
    if (typeof e !== 'string') throw typeError(e, `${where}.${name}`, 'string');
    return e;
  });
}

function objects(obj: { [k: string]: Json }, name: string, where: string): { [k: string]: Json }[] {
  const v = field(obj, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw typeError(v, `${where}.${name}`, 'array');
  return v.map((e) => {
    if (e === null) return {};
    if (typeof e !== 'object' || Array.isArray(e)) throw typeError(e, `${where}.${name}`, 'struct');
    return e;
  });
}

function filterOf(obj: { [k: string]: Json }, name: string): SeccompFilter | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(v, `Syscall.syscalls.${name}`, 'seccomp.Filter');
  const f: SeccompFilter = {};
  const caps = strings(v, 'caps', `Filter.syscalls.${name}`);
  if (caps) f.caps = caps;
  const arches = strings(v, 'arches', `Filter.syscalls.${name}`);
  if (arches) f.arches = arches;
  const minKernel = field(v, 'minKernel');
  if (minKernel !== undefined && minKernel !== null) {
    if (typeof minKernel !== 'string') throw new SeccompProfileError(`invalid kernel version: ${JSON.stringify(minKernel)}, expected "<kernel>.<major>"`);
    parseMinKernel(minKernel);
    f.minKernel = minKernel;
  }
  return f;
}

/** Go's wording for a body that is not JSON at all. */
function syntaxMessage(body: string, err: Error): string {
  if (/end of JSON input/i.test(err.message)) return 'unexpected end of JSON input';
  const at = /position (\d+)/.exec(err.message);
  const pos = at ? Number(at[1]) : body.search(/\S/);
  const ch = body[pos] ?? '';
  if (!ch) return 'unexpected end of JSON input';
  const wanted = /property name/i.test(err.message) ? 'object key string' : 'value';
  return `invalid character '${ch}' looking for beginning of ${wanted}`;
}

/** A profile's JSON as dockerd decodes it; SeccompProfileError with dockerd's message when it cannot. */
export function parseSeccompProfile(body: string): SeccompProfile {
  let doc: Json;
  try {
    doc = JSON.parse(body) as Json;
  } catch (err) {
    throw new SeccompProfileError(`Decoding seccomp profile failed: ${syntaxMessage(body, err as Error)}`);
  }
  try {
    return decodeProfile(doc);
  } catch (err) {
    // json.Unmarshal's own errors carry the prefix; the checks dockerd makes after decoding do not
    if (err instanceof SeccompProfileError && !err.afterDecoding) throw new SeccompProfileError(`Decoding seccomp profile failed: ${err.message}`);
    throw err;
  }
}

function decodeProfile(doc: Json): SeccompProfile {
  if (doc === null) return { syscalls: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new SeccompProfileError(`json: cannot unmarshal ${jsonKind(doc)} into Go value of type seccomp.Seccomp`);
  const profile: SeccompProfile = { syscalls: [] };
  const defaultAction = str(doc, 'defaultAction', 'Seccomp');
  if (defaultAction) profile.defaultAction = defaultAction;
  const defaultErrnoRet = uint(doc, 'defaultErrnoRet', 'Seccomp');
  if (defaultErrnoRet !== undefined) profile.defaultErrnoRet = defaultErrnoRet;
  const architectures = strings(doc, 'architectures', 'Seccomp');
  if (architectures) profile.architectures = architectures;
  const flags = strings(doc, 'flags', 'Seccomp');
  if (flags) profile.flags = flags;
  const listenerPath = str(doc, 'listenerPath', 'Seccomp');
  if (listenerPath) profile.listenerPath = listenerPath;
  const listenerMetadata = str(doc, 'listenerMetadata', 'Seccomp');
  if (listenerMetadata) profile.listenerMetadata = listenerMetadata;
  const archMap = objects(doc, 'archMap', 'Seccomp');
  if (archMap.length) {
    profile.archMap = archMap.map((a) => ({
      architecture: str(a, 'architecture', 'Architecture.archMap') ?? '',
      subArchitectures: strings(a, 'subArchitectures', 'Architecture.archMap') ?? [],
    }));
  }
  for (const s of objects(doc, 'syscalls', 'Seccomp')) {
    const name = str(s, 'name', 'Syscall.syscalls');
    const names = strings(s, 'names', 'Syscall.syscalls') ?? [];
    if (name && names.length) throw new SeccompProfileError("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'", true);
    const rule: SeccompRule = { names: name ? [name] : names, action: str(s, 'action', 'Syscall.syscalls') ?? '' };
    const errnoRet = uint(s, 'errnoRet', 'Syscall.syscalls');
    if (errnoRet !== undefined) rule.errnoRet = errnoRet;
    const args = objects(s, 'args', 'Syscall.syscalls');
    if (args.length) {
      rule.args = args.map((a) => {
        const arg: SeccompArg = {
          index: uint(a, 'index', 'LinuxSeccompArg.syscalls.args') ?? 0,
          value: uint(a, 'value', 'LinuxSeccompArg.syscalls.args') ?? 0,
          op: str(a, 'op', 'LinuxSeccompArg.syscalls.args') ?? '',
        };
        const two = uint(a, 'valueTwo', 'LinuxSeccompArg.syscalls.args');
        if (two !== undefined) arg.valueTwo = two;
        return arg;
      });
    }
    const comment = str(s, 'comment', 'Syscall.syscalls');
    if (comment) rule.comment = comment;
    const includes = filterOf(s, 'includes');
    if (includes) rule.includes = includes;
    const excludes = filterOf(s, 'excludes');
    if (excludes) rule.excludes = excludes;
    profile.syscalls.push(rule);
  }
  return profile;
}
