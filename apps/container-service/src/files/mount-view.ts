import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerRecord } from '../containers/container-record';
import { resolveInRoot, type GraftedMount } from './scoped-path';

/** A mount the container sees, to be put in place for docker cp's view of its files. */
export interface ViewMount {
  source: string;
  destination: string;
  readOnly: boolean;
}

/** A volume or bind of the container, for dockerd's "is this path writable" check. */
export interface VolumePoint {
  destination: string;
  rw: boolean;
}

const depth = (p: string): number => p.split('/').filter(Boolean).length;

/**
 * What dockerd mounts over the root filesystem before it serves docker cp:
 * the volumes and binds, and the hosts, hostname and resolv.conf files once
 * the container has them (a user mount on the same path wins). tmpfs mounts
 * are private to the running container and left out. Shallow ones first, so
 * a mount inside another one lands on top of it.
 */
export function viewMounts(record: ContainerRecord): ViewMount[] {
  const out: ViewMount[] = [];
  for (const m of record.Mounts ?? []) {
    if (m.Type === 'tmpfs' || !m.Source) continue;
    out.push({ source: m.Source, destination: m.Destination, readOnly: !m.RW });
  }
  const taken = new Set(out.map((m) => path.posix.normalize(m.destination)));
  const readOnly = record.HostConfig.ReadonlyRootfs === true;
  for (const [source, destination] of [
    [record.ResolvConfPath, '/etc/resolv.conf'],
    [record.HostnamePath, '/etc/hostname'],
    [record.HostsPath, '/etc/hosts'],
  ] as const) {
    if (source && !taken.has(destination)) out.push({ source, destination, readOnly });
  }
  return out.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i).map(({ m }) => m);
}

export function volumePoints(record: ContainerRecord): VolumePoint[] {
  return (record.Mounts ?? []).map((m) => ({ destination: m.Destination, rw: m.RW }));
}

/** A mount taken from the host before the helper enters the container's root. */
export interface TakenMount {
  mount: ViewMount;
  /** The detached tree's fd (open_tree). */
  fd: number;
  isDirectory: boolean;
}

export interface MountCalls {
  openTree(source: string, readOnly: boolean): number;
  moveMount(fd: number, destination: string): void;
}

/**
 * First half of the fs helper's view: each source, a host path, is cloned as
 * a detached mount while the host is still in reach. A source that cannot
 * be taken is reported and skipped rather than failing the copy.
 */
export function takeMounts(mounts: ViewMount[], calls: MountCalls, warn: (message: string) => void): TakenMount[] {
  const out: TakenMount[] = [];
  for (const m of mounts) {
    const source = fs.statSync(m.source, { throwIfNoEntry: false });
    if (!source) {
      warn(`mount source ${m.source} is missing`);
      continue;
    }
    try {
      out.push({ mount: m, fd: calls.openTree(m.source, m.readOnly), isDirectory: source.isDirectory() });
    } catch (err) {
      warn(`cannot mount ${m.source} at ${m.destination}: ${(err as Error).message}`);
    }
  }
  return out;
}

/**
 * Second half, run chrooted in the container's root (so `root` is `/`): each
 * tree is attached at its destination, which the kernel resolves inside the
 * root whatever links the container made or swaps in; a missing destination
 * is created, as dockerd does. Shallow ones come first, so a mount inside
 * another lands on top of it.
 */
export function attachMounts(root: string, taken: TakenMount[], calls: MountCalls, warn: (message: string) => void): void {
  for (const t of taken) {
    const m = t.mount;
    try {
      const target = resolveInRoot(root, m.destination, { followLast: true, lenient: true });
      const abs = target.rel === '' ? root : path.join(root, target.rel);
      if (target.stat === null) {
        if (t.isDirectory) {
          fs.mkdirSync(abs, { recursive: true, mode: 0o755 });
        } else {
          fs.mkdirSync(path.dirname(abs), { recursive: true, mode: 0o755 });
          fs.closeSync(fs.openSync(abs, fs.constants.O_CREAT | fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW, 0o755));
        }
      }
      calls.moveMount(t.fd, abs);
    } catch (err) {
      warn(`cannot mount ${m.source} at ${m.destination}: ${(err as Error).message}`);
    } finally {
      try {
        fs.closeSync(t.fd);
      } catch {
        // already gone
      }
    }
  }
}

/**
 * The same mounts as path grafts, for reading the container's view without
 * a mount namespace: each destination resolved through the container's
 * links (and the mounts before it), skipped where the helper's bind mount
 * would not be made (source missing, a file over a directory or the reverse).
 */
export function graftMounts(root: string, mounts: ViewMount[]): GraftedMount[] {
  const out: GraftedMount[] = [];
  for (const m of mounts) {
    const source = fs.statSync(m.source, { throwIfNoEntry: false });
    if (!source) continue;
    let target;
    try {
      target = resolveInRoot(root, m.destination, { followLast: true, lenient: true, mounts: out });
    } catch {
      continue;
    }
    if (target.rel === '') continue;
    if (target.stat !== null && target.stat.isDirectory() !== source.isDirectory()) continue;
    out.push({ components: target.rel.split('/'), source: m.source });
  }
  return out;
}

/** Whether a mount sits strictly below a container path (its tree would need the helper's real mounts). */
export function mountBelow(containerPath: string, grafts: GraftedMount[]): boolean {
  const parts = containerPath.split('/').filter(Boolean);
  return grafts.some((g) => g.components.length > parts.length && parts.every((c, i) => g.components[i] === c));
}
