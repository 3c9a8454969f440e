import { RpcError } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerStore } from '../containers/container-store';

/** dockerd's GetContainer for the lifecycle's parts that name another container (links, `container:X`): full id, name, unique prefix. */
export function findContainer(store: ContainerStore, ref: string): ContainerRecord | undefined {
  const bare = ref.replace(/^\//, '');
  if (bare === '') return undefined;
  const hit = store.get(bare) ?? store.byName(bare);
  if (hit) return hit.record;
  if (/^[0-9a-f]+$/.test(bare)) {
    const found = store.byPrefix(bare);
    if (found.length === 1) return found[0].record;
  }
  return undefined;
}

export function requireContainer(store: ContainerStore, ref: string): ContainerRecord {
  const r = findContainer(store, ref);
  if (!r) throw RpcError.notFound(`No such container: ${ref}`);
  return r;
}
