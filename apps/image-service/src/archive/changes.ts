import { RpcError } from '@berth/rpc';
import type { ContainerConfigJson } from '../images/image-config';

const ALLOWED = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL']);

/** A Dockerfile argument in JSON form (["a","b"]) or shell form (wrapped in /bin/sh -c). */
function commandForm(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
    } catch { /* shell form after all */ }
  }
  return ['/bin/sh', '-c', t];
}

/** key=value pairs, or the legacy single `KEY value` form. */
function pairs(rest: string): [string, string][] {
  const t = rest.trim();
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  if (!/^[^\s=]+=/.test(t)) {
    const m = /^(\S+)\s+(.*)$/.exec(t);
    if (m) out.push([m[1], m[2]]);
    return out;
  }
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) {
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out.push([m[1], v]);
  }
  return out;
}

/** Applies `docker import --change` / `docker commit --change` instructions to a config. */
export function applyChanges(config: ContainerConfigJson, changes: string[]): ContainerConfigJson {
  const out: ContainerConfigJson = { ...config };
  for (const change of changes) {
    const m = /^\s*(\S+)\s*(.*)$/s.exec(change);
    if (!m) continue;
    const cmd = m[1].toUpperCase();
    const rest = m[2];
    if (!ALLOWED.has(cmd)) throw RpcError.invalidArgument(`${m[1].toLowerCase()} is not a valid change command`);
    switch (cmd) {
      case 'CMD': out.Cmd = commandForm(rest); break;
      case 'ENTRYPOINT': out.Entrypoint = commandForm(rest); break;
      case 'ENV': {
        const env = [...(out.Env ?? [])];
        for (const [k, v] of pairs(rest)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
        }
        out.Env = env;
        break;
      }
      case 'LABEL': out.Labels = { ...(out.Labels ?? {}), ...Object.fromEntries(pairs(rest)) }; break;
      case 'EXPOSE': {
        const ports = { ...(out.ExposedPorts ?? {}) };
        for (const p of rest.trim().split(/\s+/).filter(Boolean)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
        out.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const vols = { ...(out.Volumes ?? {}) };
        const t = rest.trim();
        const list = t.startsWith('[') ? (JSON.parse(t) as string[]) : t.split(/\s+/);
        for (const v of list.filter(Boolean)) vols[v] = {};
        out.Volumes = vols;
        break;
      }
      case 'USER': out.User = rest.trim(); break;
      case 'WORKDIR': out.WorkingDir = rest.trim(); break;
      case 'STOPSIGNAL': out.StopSignal = rest.trim(); break;
      case 'ONBUILD': out.OnBuild = [...(out.OnBuild ?? []), rest.trim()]; break;
    }
  }
  return out;
}
