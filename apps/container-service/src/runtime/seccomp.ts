/**
 * A seccomp filter in the spirit of Docker's default profile, written as a
 * deny list: what dockerd's allow list leaves out is refused with EPERM, and
 * the calls it grants only with a capability are allowed when the container
 * has that capability. Not Docker's profile byte for byte (that one is an
 * allow list with argument filters on clone, personality and socket).
 */

export interface OciSeccomp {
  defaultAction: string;
  architectures: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number }[];
}

/** Refused whatever the capabilities. */
const ALWAYS_DENIED = [
  'add_key', 'request_key', 'keyctl',
  'create_module', 'get_kernel_syms', 'query_module', 'uselib', 'nfsservctl', 'sysfs', '_sysctl', 'ustat',
  'kexec_load', 'kexec_file_load',
  'userfaultfd', 'vm86', 'vm86old', 'lookup_dcookie',
  'open_by_handle_at',
];

/** Allowed only to containers holding the capability (Docker's "includes: caps"). */
const BY_CAPABILITY: Record<string, string[]> = {
  CAP_SYS_ADMIN: [
    'bpf', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie', 'mount', 'mount_setattr', 'move_mount',
    'name_to_handle_at', 'open_tree', 'perf_event_open', 'quotactl', 'quotactl_fd', 'setdomainname', 'sethostname', 'setns', 'syslog',
    'umount', 'umount2', 'unshare',
  ],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_CHROOT: ['chroot'],
  CAP_SYS_MODULE: ['delete_module', 'init_module', 'finit_module'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_adjtime', 'adjtimex'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYS_NICE: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node'],
  CAP_SYSLOG: ['syslog'],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
};

/** Docker's default filter as runc's spec section, for a container with these capabilities. */
export function defaultSeccomp(capabilities: readonly string[]): OciSeccomp {
  const granted = new Set(capabilities);
  const allowed = new Set<string>();
  for (const [cap, calls] of Object.entries(BY_CAPABILITY)) if (granted.has(cap)) for (const c of calls) allowed.add(c);
  const denied = new Set<string>(ALWAYS_DENIED);
  for (const calls of Object.values(BY_CAPABILITY)) for (const c of calls) if (!allowed.has(c)) denied.add(c);
  // Programs fall back to clone when clone3 is "not implemented", as Docker's profile makes it.
  const clone3 = denied.delete('clone3');
  const syscalls: OciSeccomp['syscalls'] = [{ names: [...denied].sort(), action: 'SCMP_ACT_ERRNO', errnoRet: 1 }];
  if (clone3) syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], syscalls };
}

/** HostConfig.SecurityOpt's seccomp choice: the default, none (`unconfined`), or a profile we do not take. */
export function seccompChoice(securityOpt: readonly string[] | null | undefined): 'default' | 'unconfined' {
  for (const opt of securityOpt ?? []) {
    const [key, value = ''] = opt.includes('=') ? [opt.slice(0, opt.indexOf('=')), opt.slice(opt.indexOf('=') + 1)] : opt.split(':', 2);
    if (key !== 'seccomp') continue;
    if (value === 'unconfined') return 'unconfined';
    if (value === 'builtin' || value === '') return 'default';
    throw new Error('custom seccomp profiles are not supported yet: use seccomp=unconfined or the default');
  }
  return 'default';
}
