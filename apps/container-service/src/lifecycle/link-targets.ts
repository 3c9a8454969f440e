import { RpcError } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerStore } from '../containers/container-store';
import { LinkTarget, parseLink } from '../containers/links';
import { findContainer } from './container-refs';

/**
 * The containers a start on the default bridge links to (HostConfig.Links),
 * read from their records: each must exist, run, and be on the default bridge
 * (dockerd's refusals, failing the start). Other modes have no legacy links.
 */
export function linkTargets(store: ContainerStore, r: ContainerRecord): LinkTarget[] {
  if (String(r.HostConfig.NetworkMode || 'bridge') !== 'bridge') return [];
  const out: LinkTarget[] = [];
  for (const spec of (r.HostConfig.Links as string[] | null | undefined) ?? []) {
    const { name, alias } = parseLink(spec);
    const child = findContainer(store, name);
    if (!child) throw RpcError.invalidArgument(`could not get container for ${name}: No such container: ${name}`);
    if (child.State.Status !== 'running' && child.State.Status !== 'paused') {
      throw RpcError.internal(`Cannot link to a non running container: /${child.Name} AS /${r.Name}/${alias}`);
    }
    const networks = (child.NetworkSettings?.Networks ?? {}) as Record<string, { IPAddress?: string }>;
    const ip = networks.bridge?.IPAddress ?? '';
    if (ip === '') throw RpcError.invalidArgument(`Cannot link to /${child.Name}, as it does not belong to the default network`);
    out.push({
      alias,
      name: child.Name,
      id: child.Id,
      hostname: (child.Config.Hostname as string | undefined) || child.Id.slice(0, 12),
      ip,
      exposed: Object.keys((child.Config.ExposedPorts ?? {}) as Record<string, unknown>),
      env: (child.Config.Env as string[] | null | undefined) ?? [],
    });
  }
  return out;
}
