import * as path from 'node:path';
import { RpcError } from '@berth/rpc';

/** One mount a container asked for, before volumes are resolved to paths. */
export interface PlannedMount {
  type: 'bind' | 'volume' | 'tmpfs';
  destination: string;
  /** bind: host path; volume: name ('' for anonymous); tmpfs: unused. */
  source: string;
  readOnly: boolean;
  /** Binds: the `-v` mode text as dockerd keeps it (inspect's Mode). */
  mode: string;
  propagation: string;
  /** Mounts API bind: a missing source is an error instead of being created. */
  mustExist: boolean;
  /** Volume: copy the image's files at the destination into it when it is empty (not for `nocopy`). */
  copyImageData: boolean;
  /** tmpfs mount options. */
  tmpfsOptions: string[];
  /** A tmpfs from HostConfig.Mounts: inspect lists it (HostConfig.Tmpfs ones it does not). */
  listed?: boolean;
  volumeOptions?: { labels?: Record<string, string>; driverOpts?: Record<string, string> };
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function invalid(msg: string): RpcError {
  return RpcError.invalidArgument(msg);
}

function checkDestination(dest: string, spec: string): string {
  if (dest === '/') throw invalid(`invalid volume specification: '${spec}': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  return path.posix.normalize(dest).replace(/(.)\/$/, '$1');
}

/** `src:dst[:mode]` from HostConfig.Binds (dockerd's ParseMountRaw for Linux). */
export function parseBind(spec: string): PlannedMount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw invalid(`invalid volume specification: '${spec}'`);
  }
  const [src, rawDest, modeText = ''] = parts;
  const modes = modeText === '' ? [] : modeText.split(',');
  let readOnly = false;
  let propagation = '';
  let nocopy = false;
  for (const m of modes) {
    if (m === 'ro') readOnly = true;
    else if (m === 'rw') readOnly = false;
    else if (PROPAGATIONS.includes(m)) propagation = m;
    else if (m === 'nocopy') nocopy = true;
    else if (m === 'z' || m === 'Z' || m === 'consistent' || m === 'cached' || m === 'delegated') continue;
    else throw invalid(`invalid mode: ${m}`);
  }
  if (!rawDest.startsWith('/')) throw invalid(`invalid volume specification: '${spec}': invalid mount config for type "volume": invalid mount path: '${rawDest}' mount path must be absolute`);
  const destination = checkDestination(rawDest, spec);
  if (src.startsWith('/')) {
    if (nocopy) throw invalid(`invalid volume specification: '${spec}': invalid mount config for type "bind": field VolumeOptions must not be specified`);
    return { type: 'bind', destination, source: path.posix.normalize(src), readOnly, mode: modeText, propagation: propagation || 'rprivate', mustExist: false, copyImageData: false, tmpfsOptions: [] };
  }
  if (!VOLUME_NAME.test(src)) {
    throw invalid(`create ${src}: "${src}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  if (propagation) throw invalid(`invalid volume specification: '${spec}': invalid mount config for type "volume": field BindOptions must not be specified`);
  return { type: 'volume', destination, source: src, readOnly, mode: modeText === '' ? 'z' : modeText, propagation: '', mustExist: false, copyImageData: !nocopy, tmpfsOptions: [] };
}

interface ApiMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; CreateMountpoint?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

/** One entry of HostConfig.Mounts (dockerd's mount validation, linux). */
export function parseApiMount(m: ApiMount): PlannedMount {
  const type = m.Type ?? '';
  if (!m.Target) throw invalid(`invalid mount config for type "${type}": field Target must not be empty`);
  if (!m.Target.startsWith('/')) throw invalid(`invalid mount config for type "${type}": invalid mount path: '${m.Target}' mount path must be absolute`);
  const destination = path.posix.normalize(m.Target).replace(/(.)\/$/, '$1');
  const readOnly = m.ReadOnly === true;
  switch (type) {
    case 'bind': {
      if (!m.Source) throw invalid('invalid mount config for type "bind": field Source must not be empty');
      if (!m.Source.startsWith('/')) throw invalid(`invalid mount config for type "bind": invalid mount path: '${m.Source}' mount path must be absolute`);
      if (m.VolumeOptions) throw invalid('invalid mount config for type "bind": field VolumeOptions must not be specified');
      if (m.TmpfsOptions) throw invalid('invalid mount config for type "bind": field TmpfsOptions must not be specified');
      const propagation = m.BindOptions?.Propagation || 'rprivate';
      return { type: 'bind', destination, source: path.posix.normalize(m.Source), readOnly, mode: '', propagation, mustExist: m.BindOptions?.CreateMountpoint !== true, copyImageData: false, tmpfsOptions: [] };
    }
    case 'volume': {
      if (m.BindOptions) throw invalid('invalid mount config for type "volume": field BindOptions must not be specified');
      if (m.TmpfsOptions) throw invalid('invalid mount config for type "volume": field TmpfsOptions must not be specified');
      const src = m.Source ?? '';
      if (src !== '' && !VOLUME_NAME.test(src)) throw invalid(`create ${src}: "${src}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
      return {
        type: 'volume', destination, source: src, readOnly, mode: '', propagation: '', mustExist: false,
        copyImageData: m.VolumeOptions?.NoCopy !== true, tmpfsOptions: [],
        volumeOptions: { labels: m.VolumeOptions?.Labels, driverOpts: m.VolumeOptions?.DriverConfig?.Options },
      };
    }
    case 'tmpfs': {
      if (m.Source) throw invalid('invalid mount config for type "tmpfs": field Source must not be specified');
      if (m.BindOptions) throw invalid('invalid mount config for type "tmpfs": field BindOptions must not be specified');
      if (m.VolumeOptions) throw invalid('invalid mount config for type "tmpfs": field VolumeOptions must not be specified');
      const opts: string[] = [];
      if (m.TmpfsOptions?.SizeBytes) opts.push(`size=${Math.floor(m.TmpfsOptions.SizeBytes / 1024)}k`);
      if (m.TmpfsOptions?.Mode) opts.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
      return { type: 'tmpfs', destination, source: '', readOnly, mode: '', propagation: '', mustExist: false, copyImageData: false, tmpfsOptions: opts, listed: true };
    }
    case '':
      throw invalid('invalid mount config for type "": mount type unknown');
    default:
      throw invalid(`invalid mount config for type "${type}": mount type unknown`);
  }
}

/** HostConfig.Tmpfs: `{"/run": "rw,noexec,size=65536k"}`. */
export function parseTmpfs(dest: string, options: string): PlannedMount {
  if (!dest.startsWith('/')) throw invalid(`invalid mount config for type "tmpfs": invalid mount path: '${dest}' mount path must be absolute`);
  const opts = options === '' ? [] : options.split(',');
  const readOnly = opts.includes('ro');
  return { type: 'tmpfs', destination: path.posix.normalize(dest), source: '', readOnly, mode: '', propagation: '', mustExist: false, copyImageData: false, tmpfsOptions: opts.filter((o) => o !== 'ro' && o !== 'rw') };
}

/**
 * Every mount of a container, in dockerd's precedence: Mounts, then Binds,
 * then Tmpfs, and image/Config volumes for destinations nobody else took.
 * Two explicit mounts on one destination are an error.
 */
export function planMounts(hostConfig: Record<string, unknown>, configVolumes: Record<string, unknown> | null | undefined): PlannedMount[] {
  const out: PlannedMount[] = [];
  const taken = new Set<string>();
  const add = (m: PlannedMount) => {
    if (taken.has(m.destination)) throw invalid(`Duplicate mount point: ${m.destination}`);
    taken.add(m.destination);
    out.push(m);
  };
  const mounts = hostConfig.Mounts;
  if (Array.isArray(mounts)) for (const m of mounts) add(parseApiMount(m as ApiMount));
  const binds = hostConfig.Binds;
  if (Array.isArray(binds)) for (const b of binds) add(parseBind(String(b)));
  const tmpfs = hostConfig.Tmpfs;
  if (tmpfs && typeof tmpfs === 'object') for (const [d, o] of Object.entries(tmpfs as Record<string, string>)) add(parseTmpfs(d, String(o ?? '')));
  for (const dest of Object.keys(configVolumes ?? {})) {
    const d = path.posix.normalize(dest).replace(/(.)\/$/, '$1');
    if (!d.startsWith('/') || taken.has(d)) continue;
    taken.add(d);
    out.push({ type: 'volume', destination: d, source: '', readOnly: false, mode: '', propagation: '', mustExist: false, copyImageData: true, tmpfsOptions: [] });
  }
  return out;
}
