import { DEFAULT_PATH_ENV, grantableCapabilities, OciSpec } from '../runtime/oci-spec';

export { grantableCapabilities };
import type { ResolvedUser } from '../runtime/users';

/** The OCI process `runc exec --process` reads: the container's own, with the exec's changes. */
export type ExecProcessSpec = OciSpec['process'] & {
  capabilities: OciSpec['process']['capabilities'] & { inheritable?: string[]; ambient?: string[] };
};

/** What an exec asked for, after dockerd's defaults (ExecConfig of daemon/container/exec.go). */
export interface ExecSettings {
  entrypoint: string;
  args: string[];
  env: string[];
  /** Empty: the container's cwd ("/" when it has none). */
  workingDir: string;
  tty: boolean;
  privileged: boolean;
  /** The user spec (`name`, `uid:gid`...); empty keeps the container's process user. */
  user: string;
  consoleSize?: { height: number; width: number };
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * dockerd's ReplaceOrAppendEnvValues: an override replaces the default of the
 * same name or is appended; a bare `NAME` (no `=`) removes it.
 */
export function replaceOrAppendEnv(defaults: string[], overrides: string[]): string[] {
  const out: (string | undefined)[] = [...defaults];
  const index = new Map<string, number>();
  out.forEach((e, i) => index.set(envKey(e!), i));
  for (const o of overrides) {
    const i = index.get(envKey(o));
    if (!o.includes('=')) {
      if (i !== undefined) out[i] = undefined;
      continue;
    }
    if (i !== undefined && out[i] !== undefined) out[i] = o;
    else {
      index.set(envKey(o), out.length);
      out.push(o);
    }
  }
  return out.filter((e): e is string => e !== undefined);
}

/**
 * The environment of an exec as dockerd builds it (CreateDaemonEnvironment,
 * then the exec's Env): PATH, HOSTNAME and, with a TTY, TERM=xterm, each
 * overridden by the container's Env, which the exec's Env overrides in turn.
 */
export function execEnvironment(container: { Hostname?: string; Env?: string[] | null }, tty: boolean, execEnv: string[]): string[] {
  const base = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${container.Hostname ?? ''}`];
  if (tty) base.push('TERM=xterm');
  return replaceOrAppendEnv(replaceOrAppendEnv(base, container.Env ?? []), execEnv);
}

/**
 * Every capability this process may hand out: the kernel's list cut to our
 * bounding set (CapBnd). dockerd grants the kernel's whole list, but here
 * CAP_SYS_RESOURCE is outside the bounding set and runc refuses to apply it
 * ("unable to apply caps: operation not permitted", seen on this machine).
 */
/**
 * The process spec for one exec: the container's process (capabilities,
 * rlimits, no-new-privileges, ...) with the exec's command, environment, cwd,
 * terminal, user and, when privileged, every capability (daemon/exec_linux.go).
 */
export function buildExecProcess(containerProcess: OciSpec['process'], exec: ExecSettings, user: ResolvedUser | undefined): ExecProcessSpec {
  const p: ExecProcessSpec = JSON.parse(JSON.stringify(containerProcess)) as ExecProcessSpec;
  p.args = [exec.entrypoint, ...exec.args];
  p.env = [...exec.env];
  p.cwd = exec.workingDir || containerProcess.cwd || '/';
  p.terminal = exec.tty;
  delete p.consoleSize;
  if (exec.tty && exec.consoleSize && exec.consoleSize.height > 0 && exec.consoleSize.width > 0) p.consoleSize = { ...exec.consoleSize };
  if (user) {
    p.user = { uid: user.uid, gid: user.gid, ...(user.additionalGids.length > 0 ? { additionalGids: [...user.additionalGids] } : {}) };
  }
  if (exec.privileged) {
    const all = grantableCapabilities();
    p.capabilities = { bounding: [...all], effective: [...all], permitted: [...all] };
  }
  return p;
}
