import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MountPoint } from '../containers/container-record';
import { runCommand } from '@berth/host';
import type { volume } from '@berth/proto';
import type { PromiseClient } from '@berth/rpc';
import { RpcError } from '@berth/rpc';
import { generateContainerId } from '../containers/names';
import { resolveInRoot } from '../files/scoped-path';
import type { PlannedMount } from './mount-plan';
import type { ResolvedMount } from './spec-input';

export type VolumeClient = PromiseClient<volume.VolumeServiceClient>;

/** A planned mount with its volume name settled at create time. */
export interface ContainerMount extends PlannedMount {
  /** The volume's name (generated for anonymous ones). */
  volumeName?: string;
  anonymous?: boolean;
}

function isEmptyDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/** The container's volumes in volume-service: references at create/remove, mounts at start/stop. */
export class VolumeLinks {
  constructor(private readonly volumes: VolumeClient) {}

  /** Creates missing volumes and takes a reference on each for the container; on failure releases what it took. */
  async link(containerId: string, plan: PlannedMount[]): Promise<{ mounts: ContainerMount[]; points: MountPoint[] }> {
    const mounts: ContainerMount[] = [];
    const points: MountPoint[] = [];
    const taken: string[] = [];
    try {
      for (const m of plan) {
        if (m.type !== 'volume') {
          mounts.push(m);
          if (m.type === 'bind') points.push({ Type: 'bind', Source: m.source, Destination: m.destination, Mode: m.mode, RW: !m.readOnly, Propagation: m.propagation });
          else if (m.listed) {
            points.push({ Type: 'tmpfs', Source: '', Destination: m.destination, Mode: '', RW: !m.readOnly, Propagation: '' });
          }
          continue;
        }
        const anonymous = m.source === '';
        const name = anonymous ? generateContainerId() : m.source;
        const vol = await this.volumes.create({
          name,
          driver: 'local',
          driverOpts: m.volumeOptions?.driverOpts ?? {},
          labels: m.volumeOptions?.labels ?? {},
          anonymous,
        });
        await this.volumes.acquire({ name, containerId });
        taken.push(name);
        mounts.push({ ...m, volumeName: name, anonymous });
        points.push({ Type: 'volume', Name: name, Source: vol.mountpoint, Destination: m.destination, Driver: vol.driver || 'local', Mode: m.mode, RW: !m.readOnly, Propagation: '' });
      }
    } catch (err) {
      await Promise.all(taken.map((name) => this.volumes.release({ name, containerId }).catch(() => undefined)));
      throw err;
    }
    return { mounts, points };
  }

  /**
   * Mounts for one start: volumes through volume-service (an empty new volume
   * gets the image's files at its destination first), bind sources created
   * when missing as dockerd does for `-v`.
   */
  async mountAll(containerId: string, mounts: ContainerMount[], rootfs: string): Promise<ResolvedMount[]> {
    const out: ResolvedMount[] = [];
    const mounted: string[] = [];
    try {
      for (const m of mounts) {
        if (m.type === 'volume' && m.volumeName) {
          const res = await this.volumes.mount({ name: m.volumeName, containerId, destination: m.destination, readWrite: !m.readOnly, propagation: m.propagation });
          mounted.push(m.volumeName);
          if (m.copyImageData) await copyImageData(rootfs, m.destination, res.mountpoint);
          out.push({ type: 'volume', source: res.mountpoint, destination: m.destination, readOnly: m.readOnly, propagation: m.propagation, tmpfsOptions: [] });
        } else if (m.type === 'bind') {
          if (!fs.existsSync(m.source)) {
            if (m.mustExist) throw RpcError.invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
            fs.mkdirSync(m.source, { recursive: true, mode: 0o755 });
          }
          out.push({ type: 'bind', source: m.source, destination: m.destination, readOnly: m.readOnly, propagation: m.propagation, tmpfsOptions: [] });
        } else {
          out.push({ type: 'tmpfs', source: '', destination: m.destination, readOnly: m.readOnly, propagation: '', tmpfsOptions: m.tmpfsOptions });
        }
      }
    } catch (err) {
      await Promise.all(mounted.map((name) => this.volumes.unmount({ name, containerId }).catch(() => undefined)));
      throw err;
    }
    return out;
  }

  async unmountAll(containerId: string, mounts: ContainerMount[]): Promise<void> {
    await Promise.all(mounts.filter((m) => m.volumeName).map((m) => this.volumes.unmount({ name: m.volumeName!, containerId }).catch(() => undefined)));
  }

  /** Drops the container's references; with `removeAnonymous` (`rm -v`, `--rm`) deletes its anonymous volumes too. */
  async unlink(containerId: string, mounts: ContainerMount[], removeAnonymous: boolean): Promise<void> {
    for (const m of mounts) {
      if (!m.volumeName) continue;
      await this.volumes.release({ name: m.volumeName, containerId }).catch(() => undefined);
      if (removeAnonymous && m.anonymous) await this.volumes.remove({ name: m.volumeName, force: false }).catch(() => undefined);
    }
  }
}

/**
 * dockerd's copy-up: a new, empty volume starts with the image's content at
 * its mount point. The mount point is resolved inside the root file system
 * (the image's symlinks followed against the root, `..` stopping at it), so
 * an image whose `/data` links to a host directory copies nothing from the
 * host: the volume is then mounted where that link leads inside the root,
 * which is empty, as with dockerd. The copy runs before the container's
 * first process, and `cp -a` copies links as links.
 */
async function copyImageData(rootfs: string, destination: string, to: string): Promise<void> {
  let from;
  try {
    from = resolveInRoot(rootfs, destination, { followLast: true, lenient: true });
  } catch {
    return;
  }
  const st = from.stat;
  if (st === null || !st.isDirectory() || !isEmptyDir(to) || isEmptyDir(from.host)) return;
  // cp -a keeps owners, modes, links and xattrs, which the image's files need.
  await runCommand('cp', ['-a', '--', `${from.host}/.`, to]);
  fs.chownSync(to, Number(st.uid), Number(st.gid));
  fs.chmodSync(to, Number(st.mode) & 0o7777);
}
