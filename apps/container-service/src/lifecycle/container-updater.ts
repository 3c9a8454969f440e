import type { ContainerUpdateRequest, HostConfig } from '@berth/engine-api';
import { RpcError } from '@berth/rpc';
import type { KeyedLock } from '@berth/storage';
import type { ContainerPaths } from '../containers/container-paths';
import { buildOciSpec } from '../runtime/oci-spec';
import type { ContainerRuntime } from './container-runtime';
import type { LifecycleRecords } from './lifecycle-records';
import { RestartPolicy, validateRestartPolicy } from './restart-policy';
import { specInputFor } from './spec-input';
import { unimplementedUpdate } from '../containers/unimplemented-options';

/** HostConfig fields `docker update` may change (dockerd's UpdateConfig Resources). */
/** KernelMemory left the API in 1.42; older clients still send it. */
type UpdateBody = ContainerUpdateRequest & { KernelMemory?: number };
type UpdatableHostConfig = HostConfig & { KernelMemory?: number };

const UPDATABLE: (keyof UpdatableHostConfig & keyof UpdateBody)[] = ['CpuShares', 'Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight', 'KernelMemory'];

/** Changes to a container in place: `docker update` and a terminal resize. */
export class ContainerUpdater {
  constructor(
    private readonly records: LifecycleRecords,
    private readonly lock: KeyedLock,
    private readonly paths: ContainerPaths,
    private readonly runtime: ContainerRuntime,
  ) {}

  /** `docker update`: resources and the restart policy; a running container's cgroups change at once. */
  async update(id: string, body: UpdateBody): Promise<string[]> {
    return this.lock.run(id, async () => {
      const r = this.records.get(id);
      const unimplemented = unimplementedUpdate(body as Record<string, unknown>);
      if (unimplemented) throw RpcError.invalidArgument(unimplemented);
      const hc: UpdatableHostConfig = { ...r.HostConfig };
      if (body.RestartPolicy !== undefined && body.RestartPolicy !== null) {
        const p: RestartPolicy = body.RestartPolicy;
        if (hc.AutoRemove === true && p.Name && p.Name !== 'no') throw RpcError.invalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
        const err = validateRestartPolicy(p, false);
        if (err) throw RpcError.invalidArgument(err);
        hc.RestartPolicy = { Name: (p.Name || 'no') as NonNullable<HostConfig['RestartPolicy']>['Name'], MaximumRetryCount: p.MaximumRetryCount ?? 0 };
      }
      const fields: Record<string, unknown> = hc;
      for (const key of UPDATABLE) {
        const v = body[key];
        if (v !== undefined && v !== null && !(typeof v === 'number' && v === 0 && hc[key] === undefined)) fields[key] = v;
      }
      const memory = Number(hc.Memory ?? 0);
      const swap = Number(hc.MemorySwap ?? 0);
      if (memory > 0 && swap > 0 && swap < memory) throw RpcError.invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
      if (r.State.Status === 'running' || r.State.Status === 'paused') {
        // Only the resources of this spec are used; the rest is placeholders.
        const spec = buildOciSpec(specInputFor({ ...r, HostConfig: hc }, {
          rootfs: this.paths.rootfs(id), user: { uid: 0, gid: 0, additionalGids: [], home: '/' }, mounts: [], hostNetwork: true,
          hostsPath: '', hostnamePath: '', resolvConfPath: '',
        }));
        const { devices: _devices, ...resources } = spec.linux.resources;
        await this.runtime.update(id, { ...resources, memory: resources.memory ?? {}, cpu: resources.cpu ?? {} }).catch((err: unknown) => {
          throw RpcError.internal(`Cannot update container ${id}: ${(err as Error).message}`);
        });
      }
      this.records.emit('update', this.records.update(id, (rec) => ({ ...rec, HostConfig: hc })) ?? r);
      return [];
    });
  }

  resize(id: string, height: number, width: number): void {
    const r = this.records.get(id);
    if (r.State.Status !== 'running' && r.State.Status !== 'paused') throw RpcError.conflict(`Container ${r.Id} is not running`);
    try {
      this.runtime.resize(id, height, width);
    } catch (err) {
      throw RpcError.internal(`cannot resize: ${(err as Error).message}`);
    }
  }
}
