import * as fs from 'node:fs';
import { RpcError } from '@berth/rpc';
import type { ContainerPaths } from '../containers/container-paths';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerStore } from '../containers/container-store';
import { containerModeTarget, createdSettings } from '../containers/network-plan';
import { requireContainer } from './container-refs';
import type { NetworkAttachment, NetworkLink } from './network-link';

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/**
 * How a start gets its network: from network-service, or for
 * `--network container:X` by joining X's namespace (X must run; no Attach,
 * so nothing to undo). The joining container sees X's /etc files, as dockerd
 * gives it X's paths, and its NetworkSettings.Networks is empty.
 */
export class NetworkJoin {
  constructor(
    private readonly store: ContainerStore,
    private readonly paths: ContainerPaths,
    private readonly network: NetworkLink,
  ) {}

  /** True when the start asks network-service for the network (and so must give it back on failure). */
  attaches(r: ContainerRecord): boolean {
    return containerModeTarget(r.HostConfig.NetworkMode) === undefined;
  }

  async attach(r: ContainerRecord): Promise<NetworkAttachment> {
    const target = containerModeTarget(r.HostConfig.NetworkMode);
    if (target === undefined) return this.network.attach(r);
    const x = requireContainer(this.store, target);
    if (x.Id === r.Id) throw RpcError.invalidArgument('cannot join own network');
    if (x.State.Status === 'restarting') throw RpcError.conflict(`container ${target} is restarting, wait until the container is running`);
    if (x.State.Status !== 'running' && x.State.Status !== 'paused') {
      throw RpcError.conflict(`cannot join network of a non running container: ${x.Id}`);
    }
    const hostNetwork = String(x.HostConfig.NetworkMode) === 'host';
    const netnsPath = x.NetnsPath || (x.NetworkSettings as { SandboxKey?: string } | undefined)?.SandboxKey || undefined;
    if (!hostNetwork && !netnsPath) throw RpcError.conflict(`cannot join network of a non running container: ${x.Id}`);
    const hostname = (x.Config.Hostname as string | undefined) || x.Id.slice(0, 12);
    return {
      netnsPath: hostNetwork ? undefined : netnsPath,
      hostNetwork,
      resolvConf: readOr(this.paths.resolvConf(x.Id), ''),
      shared: {
        hosts: readOr(this.paths.hosts(x.Id), ''),
        hostname: readOr(this.paths.hostname(x.Id), `${hostname}\n`),
        resolvConf: readOr(this.paths.resolvConf(x.Id), ''),
      },
      settings: createdSettings({}),
    };
  }
}
