import { status } from '@grpc/grpc-js';
import type { image } from '@berth/proto';
import type { ImageClient } from './image-lease-keeper';

/** An in-memory image-service for lease tests: one image, leases in a map, switchable outage. */
export class FakeImageService {
  readonly leases = new Map<string, { imageId: string; active: boolean }>();
  down = false;
  calls: string[] = [];

  constructor(readonly imageId = `sha256:${'a'.repeat(64)}`, readonly config: Record<string, unknown> = { config: { Cmd: ['sh'] } }) {}

  private check(name: string): void {
    this.calls.push(name);
    if (this.down) throw Object.assign(new Error('cannot reach image-service'), { code: status.UNAVAILABLE, details: 'cannot reach image-service' });
  }

  readonly client = {
    acquireImage: async (req: image.AcquireImageRequest): Promise<image.Image> => {
      this.check('acquireImage');
      if (req.name !== 'busybox' && req.name !== this.imageId) throw Object.assign(new Error(`No such image: ${req.name}`), { code: status.NOT_FOUND, details: `No such image: ${req.name}` });
      this.leases.set(req.leaseId, { imageId: this.imageId, active: req.active });
      return {
        id: this.imageId, repoTags: ['busybox:latest'], repoDigests: [], parent: '', configJson: JSON.stringify(this.config), size: 0, created: 0, containers: -1, lastTagTime: '',
        layers: [{ diffId: 'd1', chainId: 'c1', size: 1, path: '/layers/bottom' }, { diffId: 'd2', chainId: 'c2', size: 1, path: '/layers/top' }],
      };
    },
    releaseLease: async (req: image.LeaseRef) => {
      this.check('releaseLease');
      this.leases.delete(req.leaseId);
      return {};
    },
    setLeaseActive: async (req: image.SetLeaseActiveRequest) => {
      this.check('setLeaseActive');
      const lease = this.leases.get(req.leaseId);
      if (!lease) throw Object.assign(new Error('no such lease'), { code: status.NOT_FOUND, details: 'no such lease' });
      lease.active = req.active;
      return {};
    },
    reconcileLeases: async (req: image.ReconcileLeasesRequest): Promise<image.ReconcileLeasesResponse> => {
      this.check('reconcileLeases');
      const wanted = new Set(req.leases.map((l) => l.leaseId));
      const released = [...this.leases.keys()].filter((id) => id.startsWith(req.prefix) && !wanted.has(id));
      for (const id of released) this.leases.delete(id);
      for (const l of req.leases) this.leases.set(l.leaseId, { imageId: l.imageId, active: l.active });
      return { released, missing: [] };
    },
  } satisfies ImageClient;
}
