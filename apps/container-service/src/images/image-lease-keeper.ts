import type { image } from '@berth/proto';
import type { Logger } from '@berth/logging';
import type { PromiseClient } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerStore } from '../containers/container-store';
import { RwLock } from './rw-lock';
import type { LifecycleObserver } from '../lifecycle/lifecycle-observer';

/** The part of image-service's contract that leases use. */
export type ImageClient = Pick<PromiseClient<image.ImageServiceClient>, 'acquireImage' | 'releaseLease' | 'setLeaseActive' | 'reconcileLeases'>;

/** An image resolved for a new container, its layers leased to it. */
export interface LeasedImage {
  id: string;
  /** The image config JSON as image-service stores it. */
  configJson: string;
  /** The unpacked layer directories, topmost first (overlay lower dirs). */
  layerPaths: string[];
}

/** What container create needs of images. */
export interface ContainerImages {
  /**
   * Resolves `name` (for `platform`, when given) and leases its layers to the container, then runs `use`
   * (which records the container). When `use` fails the lease is released.
   */
  withLease<T>(containerId: string, name: string, platform: string, use: (img: LeasedImage) => Promise<T> | T): Promise<T>;
}

const LEASE_PREFIX = 'container/';
const leaseOf = (containerId: string) => `${LEASE_PREFIX}${containerId}`;
const RETRY_MIN_MS = 500;
/**
 * How long a change of activity waits before it is sent: a short-lived
 * container (docker run --rm) starts, exits and is removed within it, and
 * then only the release goes out. The flag only words rmi's refusal; the
 * lease itself, which keeps the layers, is taken at create.
 */
const ACTIVITY_DELAY_MS = 250;
const RETRY_MAX_MS = 30_000;

function isActive(record: ContainerRecord): boolean {
  const s = record.State.Status;
  return s === 'running' || s === 'paused' || s === 'restarting';
}

/**
 * Keeps image-service's container leases equal to this service's records:
 * a lease from create to remove, active while the container runs. A call
 * that fails (image-service down) marks the leases dirty, and a reconcile,
 * which sends the whole truth, is retried until image-service answers;
 * one also runs at start-up, so a container removed while image-service was
 * down gives its layers back when it returns.
 */
export class ImageLeaseKeeper implements ContainerImages {
  private readonly lock = new RwLock();
  private retryTimer?: NodeJS.Timeout;
  private retryDelay = RETRY_MIN_MS;
  private reconciling?: Promise<void>;
  private closed = false;
  private readonly pendingActivity = new Map<string, NodeJS.Timeout>();

  constructor(private readonly images: ImageClient, private readonly store: ContainerStore, private readonly logger: Logger) {
    store.observe({
      updated: (before, after) => {
        if (isActive(before) !== isActive(after)) this.activityChanged(after.Id);
      },
    });
  }

  /**
   * The lease goes when the container does: told by the lifecycle once the
   * removal is complete and its waiters answered, so the release does not
   * hold up the answer (a create that fails releases its own lease).
   */
  lifecycleObserver(): LifecycleObserver {
    return {
      removed: (record) => {
        clearTimeout(this.pendingActivity.get(record.Id));
        this.pendingActivity.delete(record.Id);
        // After this turn of the event loop: the answers to the removal's waiters go out first.
        setImmediate(() => this.background(record.Id, 'release', () => this.images.releaseLease({ leaseId: leaseOf(record.Id) }, { timeoutMs: 30_000 })));
      },
    };
  }

  withLease<T>(containerId: string, name: string, platform: string, use: (img: LeasedImage) => Promise<T> | T): Promise<T> {
    return this.lock.shared(async () => {
      const img = await this.images.acquireImage({ name, leaseId: leaseOf(containerId), active: false, platform });
      try {
        return await use({ id: img.id, configJson: img.configJson, layerPaths: img.layers.map((l) => l.path).reverse() });
      } catch (err) {
        await this.images.releaseLease({ leaseId: leaseOf(containerId) }, { timeoutMs: 30_000 }).catch(() => this.scheduleReconcile());
        throw err;
      }
    });
  }

  /** Reconciles now (and again until it succeeds). */
  start(): Promise<void> {
    return this.reconcile();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const t of this.pendingActivity.values()) clearTimeout(t);
    this.pendingActivity.clear();
  }

  /** Nest's start-up hook: removals made while image-service was down are settled (retried until it answers). */
  onApplicationBootstrap(): void {
    void this.start();
  }

  onModuleDestroy(): void {
    this.close();
  }

  /** Sends every container's lease as the whole truth; retried with backoff until image-service answers. */
  reconcile(): Promise<void> {
    if (this.reconciling) return this.reconciling;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.reconciling = this.lock.exclusive(async () => {
      const leases = this.store.list().map(({ record }) => ({ leaseId: leaseOf(record.Id), imageId: record.Image, active: isActive(record) }));
      const res = await this.images.reconcileLeases({ prefix: LEASE_PREFIX, leases }, { timeoutMs: 60_000 });
      this.retryDelay = RETRY_MIN_MS;
      if (res.missing.length > 0) this.logger.warn('containers whose image layers are gone', { containers: res.missing.map((l) => l.slice(LEASE_PREFIX.length, LEASE_PREFIX.length + 12)) });
      if (res.released.length > 0) this.logger.info('leases of removed containers released', { count: res.released.length });
    }).catch((err: unknown) => {
      this.logger.warn('image leases not reconciled yet', { error: errorText(err), retryMs: this.retryDelay });
      this.scheduleReconcile();
    }).finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private scheduleReconcile(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.reconcile();
    }, delay);
    this.retryTimer.unref();
  }

  /** Sends the container's activity as the record has it once the delay is over (changes meanwhile coalesce). */
  private activityChanged(containerId: string): void {
    if (this.pendingActivity.has(containerId) || this.closed) return;
    const timer = setTimeout(() => {
      this.pendingActivity.delete(containerId);
      const found = this.store.get(containerId);
      if (!found) return; // removed meanwhile: the release said it all
      this.background(containerId, 'activity', () => this.images.setLeaseActive({ leaseId: leaseOf(containerId), active: isActive(found.record) }, { timeoutMs: 10_000 }));
    }, ACTIVITY_DELAY_MS);
    timer.unref();
    this.pendingActivity.set(containerId, timer);
  }

  /** A lease change that must not slow the container down: on failure the next reconcile settles it. */
  private background(containerId: string, what: string, call: () => Promise<unknown>): void {
    void this.lock.shared(call).catch((err: unknown) => {
      this.logger.debug('lease change deferred to a reconcile', { container: containerId.slice(0, 12), what, error: errorText(err) });
      this.scheduleReconcile();
    });
  }
}

function errorText(err: unknown): string {
  return (err as { details?: string }).details ?? (err instanceof Error ? err.message : String(err));
}
