import * as fs from 'node:fs';
import type { ContainerRecord } from '../containers/container-record';
import * as path from 'node:path';
import { RpcError } from '@berth/rpc';
import { writeFileAtomic } from '@berth/storage';
import type { ContainerPaths } from '../containers/container-paths';
import { readTextFile } from '@berth/host';
import { buildOciSpec } from '../runtime/oci-spec';
import { resolveUser, UserError } from '../runtime/users';
import { hostNetworkHostsFile, hostnameFile, hostsFile, resolvConf } from './etc-files';
import { mountPlan } from './lifecycle-records';
import type { NetworkAttachment, NetworkLink } from './network-link';
import type { RootfsLink } from './rootfs-link';
import { specInputFor } from './spec-input';
import { StartUserError } from './start-failure';
import { makeWorkingDir } from './workdir';
import type { VolumeMounts } from './volume-mounts';
import type { ContainerStore } from '../containers/container-store';
import { linkEnv, linkHostsLine, LinkTarget, mergeLinkEnv } from '../containers/links';
import { linkTargets } from './link-targets';
import { NetworkJoin } from './network-join';

/** Steps that undo what a start set up, run in reverse when a later step fails. */
export type UndoSteps = (() => Promise<void>)[];

export interface PreparedStart {
  bundle: string;
  net: NetworkAttachment;
  /** The legacy links' environment variables (empty without links). */
  linkEnv: string[];
}

/**
 * Everything before the runtime is asked to create the container: the root
 * filesystem and the network, the user, volumes, /etc/hosts and friends, and
 * the OCI bundle. What it set up is pushed on `undo` as soon as it exists.
 */
export class ContainerSetup {
  private readonly join: NetworkJoin;

  constructor(
    private readonly paths: ContainerPaths,
    private readonly rootfs: RootfsLink,
    private readonly network: NetworkLink,
    private readonly volumes: VolumeMounts,
    private readonly store: ContainerStore,
  ) {
    this.join = new NetworkJoin(store, paths, network);
  }

  async prepare(r: ContainerRecord, undo: UndoSteps, mark: (what: string) => void = () => undefined): Promise<PreparedStart> {
    const id = r.Id;
    const hc = r.HostConfig;
    const plan = mountPlan(r);
    // dockerd refuses a link to a stopped container before anything is set up
    const links = linkTargets(this.store, r);
    // The overlay and the network namespace do not depend on each other.
    const [rootfsRes, netRes] = await Promise.allSettled([this.rootfs.acquire(id, r.LayerPaths ?? []), this.join.attach(r)]);
    if (rootfsRes.status === 'fulfilled') undo.push(() => this.rootfs.release(id));
    if (netRes.status === 'fulfilled' && this.join.attaches(r)) undo.push(() => this.network.detach(id));
    if (rootfsRes.status === 'rejected') throw rootfsRes.reason;
    if (netRes.status === 'rejected') throw netRes.reason;
    const rootfs = rootfsRes.value;
    const net = netRes.value;
    mark('rootfs+network');
    let user;
    try {
      user = resolveUser(rootfs, r.Config.User ?? '', (hc.GroupAdd as string[] | null) ?? []);
    } catch (err) {
      if (err instanceof UserError) throw new StartUserError(err.message);
      throw err;
    }
    if (r.Config.WorkingDir) {
      try {
        makeWorkingDir(rootfs, r.Config.WorkingDir, user);
      } catch (err) {
        throw new StartUserError((err as Error).message);
      }
    }
    const mounts = await this.volumes.mountAll(id, plan, rootfs);
    undo.push(() => this.volumes.unmountAll(id, plan));
    mark('volumes');

    await this.writeEtcFiles(r, net, links);
    const linkVars = links.flatMap((t) => linkEnv(r.Name, t));
    const env = mergeLinkEnv(linkVars, (r.Config.Env as string[] | null | undefined) ?? []);
    let withLinks: ContainerRecord = links.length > 0 ? { ...r, Config: { ...r.Config, Env: env } } : r;
    if (net.shared) withLinks = { ...withLinks, Config: { ...withLinks.Config, Hostname: net.shared.hostname.trim() } };
    let spec;
    try {
      spec = buildOciSpec(
        specInputFor(withLinks, {
          rootfs,
          user,
          mounts,
          netnsPath: net.netnsPath,
          hostNetwork: net.hostNetwork,
          hostsPath: this.paths.hosts(id),
          hostnamePath: this.paths.hostname(id),
          resolvConfPath: this.paths.resolvConf(id),
        }),
      );
    } catch (err) {
      throw RpcError.invalidArgument((err as Error).message);
    }
    const bundle = this.paths.bundle(id);
    fs.mkdirSync(bundle, { recursive: true });
    writeFileAtomic(path.join(bundle, 'config.json'), JSON.stringify(spec));
    mark('bundle');
    return { bundle, net, linkEnv: linkVars };
  }

  /** /etc/hosts, /etc/hostname and /etc/resolv.conf as the container will see them (bind-mounted from the container's dir). */
  private async writeEtcFiles(r: ContainerRecord, net: NetworkAttachment, links: LinkTarget[]): Promise<void> {
    const id = r.Id;
    const hc = r.HostConfig;
    fs.mkdirSync(this.paths.dir(id), { recursive: true });
    if (net.shared) {
      // --network container:X: X's files as they are
      writeFileAtomic(this.paths.hosts(id), net.shared.hosts);
      writeFileAtomic(this.paths.hostname(id), net.shared.hostname);
      writeFileAtomic(this.paths.resolvConf(id), net.shared.resolvConf);
      return;
    }
    const hostname = r.Config.Hostname || id.slice(0, 12);
    const extraHosts = (hc.ExtraHosts as string[] | null) ?? [];
    const hosts = net.hostNetwork
      ? hostNetworkHostsFile(await readTextFile('/etc/hosts'), extraHosts, net.gateway)
      : hostsFile({
          hostname,
          domainname: r.Config.Domainname,
          ipAddress: net.ipAddress,
          moreAddresses: otherAddresses(net),
          extraHosts,
          hostGateway: net.gateway,
          linkLines: links.map(linkHostsLine),
        });
    writeFileAtomic(this.paths.hosts(id), hosts);
    writeFileAtomic(this.paths.hostname(id), hostnameFile(hostname));
    // With the embedded DNS the nameserver stays its own: network-service forwards to HostConfig.Dns.
    const dns = net.embeddedDns ? [] : ((hc.Dns as string[] | null) ?? []);
    writeFileAtomic(this.paths.resolvConf(id), resolvConf(net.resolvConf, dns, (hc.DnsSearch as string[] | null) ?? [], (hc.DnsOptions as string[] | null) ?? []));
  }
}

/** The container's addresses on its other networks (the first is net.ipAddress). */
function otherAddresses(net: NetworkAttachment): string[] {
  const networks = Object.values((net.settings.Networks ?? {}) as Record<string, { IPAddress?: string }>);
  return networks.map((n) => n.IPAddress ?? '').filter((ip) => ip !== '' && ip !== net.ipAddress);
}
