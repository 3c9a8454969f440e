/**
 * HostConfig.SecurityOpt as dockerd reads it at create (parseSecurityOpt in
 * daemon/daemon_unix.go): `key=value` (or the deprecated `key:value`),
 * bare `no-new-privileges`, `writable-cgroups` and `disable`, anything else refused with
 * dockerd's "invalid --security-opt" words. Berth has no AppArmor or
 * SELinux: an option that asks for a profile or a label is refused rather
 * than accepted and silently dropped; the ones that ask for none are fine.
 */

export interface SecurityOptions {
  /** '' (the default), `builtin`, `unconfined` or a profile's JSON. */
  seccompProfile: string;
  noNewPrivileges: boolean;
  /** `writable-cgroups[=bool]`: the cgroup mount read-write (unset: read-write only when privileged). */
  writableCgroups?: boolean;
}

export class SecurityOptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityOptError';
  }
}

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** Go's %q for the strings an option holds. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function cut(opt: string): [string, string] | undefined {
  const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
  if (!sep) return undefined;
  const at = opt.indexOf(sep);
  return [opt.slice(0, at), opt.slice(at + 1)];
}

export function parseSecurityOpt(securityOpt: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { seccompProfile: '', noNewPrivileges: false };
  for (const opt of securityOpt ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'writable-cgroups') {
      out.writableCgroups = true;
      continue;
    }
    if (opt === 'disable') continue; // label=disable: no SELinux label, which is all Berth ever gives
    const kv = cut(opt);
    if (!kv) throw new SecurityOptError(`invalid --security-opt 1: ${quote(opt)}`);
    const [key, value] = kv;
    const refused = new SecurityOptError(`invalid --security-opt 2: ${quote(opt)}`);
    switch (key) {
      case 'seccomp':
        out.seccompProfile = value;
        break;
      case 'no-new-privileges': {
        const b = parseBool(value);
        if (b === undefined) throw refused;
        out.noNewPrivileges = b;
        break;
      }
      case 'writable-cgroups': {
        const b = parseBool(value);
        if (b === undefined) throw refused;
        out.writableCgroups = b;
        break;
      }
      case 'apparmor':
        if (value !== 'unconfined') throw new SecurityOptError(`${refused.message}: AppArmor is not supported by Berth`);
        break;
      case 'label':
        if (value !== 'disable') throw new SecurityOptError(`${refused.message}: SELinux labels are not supported by Berth`);
        break;
      default:
        throw refused;
    }
  }
  return out;
}
