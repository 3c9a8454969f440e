import * as fs from 'node:fs';

/** Docker's default capability set (moby daemon/pkg/oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability by number (linux/capability.h); the kernel's cap_last_cap says how many exist. */
const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Capabilities this kernel knows (all of ALL_CAPABILITIES when cap_last_cap cannot be read). */
export function allCapabilities(): string[] {
  try {
    const last = Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    if (Number.isInteger(last) && last >= 0) return ALL_CAPABILITIES.slice(0, last + 1);
  } catch {
    // fall through
  }
  return [...ALL_CAPABILITIES];
}

/**
 * Capabilities this process can hand on: runc fails outright when asked for
 * one outside its own bounding set (CAP_SYS_RESOURCE is missing on these
 * machines), so "all" means all of CapBnd.
 */
export function grantableCapabilities(status: string = readProcStatus()): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  const all = allCapabilities();
  if (!m) return all;
  const bnd = BigInt(`0x${m[1]}`);
  return all.filter((_cap, bit) => (bnd >> BigInt(bit)) & 1n);
}

function readProcStatus(): string {
  try {
    return fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

function normaliseCap(cap: string): string {
  const upper = cap.trim().toUpperCase();
  return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Docker's TweakCapabilities: ALL in CapAdd grants all but CapDrop, ALL in CapDrop keeps only CapAdd. */
export function effectiveCapabilities(input: { capAdd?: string[]; capDrop?: string[]; privileged?: boolean }): string[] {
  if (input.privileged) return grantableCapabilities();
  const add = [...new Set((input.capAdd ?? []).map(normaliseCap))];
  const drop = [...new Set((input.capDrop ?? []).map(normaliseCap))];
  for (const cap of [...add, ...drop]) {
    if (cap !== 'ALL' && !ALL_CAPABILITIES.includes(cap)) throw new Error(`unknown capability: "${cap}"`);
  }
  if (add.includes('ALL')) return grantableCapabilities().filter((c) => !drop.includes(c));
  if (drop.includes('ALL')) return add;
  const caps = DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  for (const c of add) if (!caps.includes(c)) caps.push(c);
  return caps;
}
