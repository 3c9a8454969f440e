import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { processAlive } from '@berth/host';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import type { ImageManager, ImageView } from './image-manager';
import { parseConfig } from './image-config';
import { namedRef } from './names';
import { formatPlatform, parsePlatform, platformMatches, type Platform } from './platform';

export interface LeaseState { leaseId: string; imageId: string; active: boolean }

/** What a pull, load or import holds while it runs: the layers it found or made. */
export interface JobLease {
  readonly id: string;
  /** Leases the layer if its record exists (and says so): it can then be reused. */
  holdIfPresent(chainId: string): boolean;
  /** Leases a layer this job has just recorded. */
  hold(chainId: string): void;
  /** Ends the lease; layers no image took are deleted. */
  release(): Promise<void>;
}

const VALID_LEASE = /^[a-z]+\/[A-Za-z0-9_.:/-]{1,200}$/;

function checkLeaseId(id: string): void {
  if (!VALID_LEASE.test(id)) throw RpcError.invalidArgument(`invalid lease id "${id}"`);
}

/**
 * Leases on image layers, containerd's model: whoever uses layers by path
 * (a container, a pull in progress) holds a lease, and a layer is deleted
 * only when no image and no lease refers to it. Each step that reads and
 * writes the records is one SQLite transaction with no await inside, so
 * an acquire and a deletion never interleave.
 */
function checkPlatform(name: string, configJson: string, wanted: Platform): void {
  const cfg = parseConfig(configJson);
  const actual: Platform = { os: cfg.os ?? 'linux', architecture: cfg.architecture ?? '', ...(cfg.variant ? { variant: cfg.variant } : {}) };
  if (platformMatches(wanted, actual)) return;
  let shown = name;
  try {
    shown = namedRef(name).familiar;
  } catch {
    // an ID: shown as given
  }
  throw RpcError.notFound(`image with reference ${shown} was found but its platform (${formatPlatform(actual)}) does not match the specified platform (${formatPlatform(wanted)})`);
}

export class ImageLeases {
  private readonly host = os.hostname();

  constructor(private readonly images: ImageManager, private readonly logger: Logger) {}

  /**
   * Resolves `name` and leases its layers to `leaseId` in one step. With a
   * `platform`, an image made for another one is not found, as dockerd's
   * GetImage answers (the CLI then pulls for that platform).
   */
  acquire(name: string, leaseId: string, active: boolean, platform = ''): ImageView {
    checkLeaseId(leaseId);
    const wanted = platform === '' ? undefined : parsePlatform(platform);
    const db = this.images.db;
    const record = db.atomically(() => {
      const img = this.images.resolve(name);
      if (wanted) checkPlatform(name, img.config, wanted);
      db.leases.put(leaseId, img.id, active, img.chainIds);
      return img;
    });
    return this.images.view(record);
  }

  async release(leaseId: string): Promise<void> {
    checkLeaseId(leaseId);
    const db = this.images.db;
    const freed = db.atomically(() => db.collectLayers(db.leases.delete(leaseId)));
    await this.images.removeLayers(freed);
  }

  setActive(leaseId: string, active: boolean): void {
    checkLeaseId(leaseId);
    if (!this.images.db.leases.setActive(leaseId, active)) throw RpcError.notFound(`no such lease: ${leaseId}`);
  }

  /**
   * Makes the leases under `prefix` what their holder says they are: the
   * holder's list is the truth (it may have removed containers while this
   * service was down). Listed leases that are missing are taken again on
   * their image when its record still exists.
   */
  async reconcile(prefix: string, wanted: LeaseState[]): Promise<{ released: string[]; missing: string[] }> {
    if (!/^[a-z]+\/$/.test(prefix)) throw RpcError.invalidArgument(`invalid lease prefix "${prefix}"`);
    for (const w of wanted) {
      checkLeaseId(w.leaseId);
      if (!w.leaseId.startsWith(prefix)) throw RpcError.invalidArgument(`lease ${w.leaseId} is not under ${prefix}`);
    }
    const db = this.images.db;
    const byId = new Map(wanted.map((w) => [w.leaseId, w]));
    const released: string[] = [];
    const missing: string[] = [];
    const freed = db.atomically(() => {
      const chains: string[] = [];
      for (const lease of db.leases.list(prefix)) {
        if (byId.has(lease.id)) continue;
        chains.push(...db.leases.delete(lease.id));
        released.push(lease.id);
      }
      for (const w of wanted) {
        if (db.leases.get(w.leaseId)) {
          db.leases.setActive(w.leaseId, w.active);
          continue;
        }
        const img = db.image(w.imageId);
        if (!img) {
          missing.push(w.leaseId);
          continue;
        }
        db.leases.put(w.leaseId, img.id, w.active, img.chainIds);
      }
      return db.collectLayers(chains);
    });
    await this.images.removeLayers(freed);
    if (released.length + missing.length > 0) this.logger.info('leases reconciled', { prefix, released: released.length, missing: missing.length });
    return { released, missing };
  }

  /**
   * A lease for a job of this process, named so that a later start can tell
   * it belonged to a process that died: "<kind>/<host>/<pid>/<random>".
   */
  startJob(kind: 'pull' | 'load' | 'import' | 'build'): JobLease {
    const id = `${kind}/${this.host}/${process.pid}/${crypto.randomBytes(6).toString('hex')}`;
    const db = this.images.db;
    db.atomically(() => db.leases.put(id, '', false, []));
    let released = false;
    return {
      id,
      holdIfPresent: (chainId) => db.atomically(() => {
        if (!db.layer(chainId) || !this.images.layers.has(chainId)) return false;
        db.leases.addLayer(id, chainId);
        return true;
      }),
      hold: (chainId) => db.leases.addLayer(id, chainId),
      release: async () => {
        if (released) return;
        released = true;
        await this.release(id);
      },
    };
  }

  /** Nest's start-up hook: before the service answers, what a killed replica left is swept. */
  onApplicationBootstrap(): Promise<void> {
    return this.sweep();
  }

  /**
   * At start-up: ends the job leases of processes on this host that are
   * gone (a killed pull), then deletes layers nothing refers to any more.
   */
  async sweep(): Promise<void> {
    const db = this.images.db;
    for (const lease of db.leases.list()) {
      const job = /^(pull|load|import|build)\/([^/]+)\/(\d+)\//.exec(lease.id);
      if (!job || job[2] !== this.host) continue;
      const pid = Number(job[3]);
      if (pid !== process.pid && !processAlive(pid)) await this.release(lease.id);
    }
    const freed = db.atomically(() => db.collectLayers(db.unreferencedLayers()));
    if (freed.length > 0) this.logger.info('unreferenced layers removed', { layers: freed.length });
    await this.images.removeLayers(freed);
  }
}
