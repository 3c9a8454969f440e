import { workingDirError } from '../lifecycle/workdir';
import { Filters, HostConfig, NetworkingConfig } from '@berth/engine-api';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { ContainerPaths } from './container-paths';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { commandOf, ContainerConfig, mergeImageConfig } from './config-merge';
import { checkListFilters, listPredicate, prunePredicate } from './container-filters';
import type { ContainerRecord } from './container-record';
import { ContainerStore, StoredContainer } from './container-store';
import type { EventSink } from '@berth/events';
import { generateContainerId, generateContainerName, validateContainerName } from './names';
import { rfc3339Nano } from './time';
import { planMounts, PlannedMount } from '../lifecycle/mount-plan';
import { validateRestartPolicy } from '../lifecycle/restart-policy';
import type { VolumeLinks } from '../lifecycle/volume-links';
import type { ContainerLifecycle } from '../lifecycle/container-lifecycle';

/** What create needs of volume-service: references on the container's volumes. */
export type VolumeReferences = Pick<VolumeLinks, 'link'>;
/** What remove and prune need of the lifecycle: it tears down what runs, then deletes. */
export type ContainerRemoval = Pick<ContainerLifecycle, 'remove'>;
import { emitContainerEvent } from './container-events';
import { writeInitLayer } from '../rootfs/init-layer';
import type { ContainerImages, LeasedImage } from '../images/image-lease-keeper';
import { parseSecurityOpt, SecurityOptError } from '../runtime/security-opt';
import { unimplementedOption } from './unimplemented-options';
import { containerModeTarget, NetworkResolver, planNetworks } from './network-plan';
import { parseLink } from './links';
import { withBoundPortsExposed } from './port-specs';

export { rfc3339Nano };

export interface CreateInput {
  name: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  networkingConfig: NetworkingConfig;
  /** The image as the user typed it: resolved (and leased) here. */
  image: string;
  platform: string;
}

export interface Filter { key: string; values: string[] }

function noSuchContainer(ref: string): RpcError {
  return RpcError.notFound(`No such container: ${ref}`);
}

function nameConflict(name: string, holder: string): RpcError {
  return RpcError.conflict(`Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
}

/** What dockerd fills in at create when the request left it out (inspect shows these). */
function applyHostConfigDefaults(hc: HostConfig): void {
  const policy = hc.RestartPolicy;
  if (!policy || !policy.Name) hc.RestartPolicy = { Name: 'no', MaximumRetryCount: policy?.MaximumRetryCount ?? 0 };
  const log = hc.LogConfig;
  // conmon's k8s-file log is read back like dockerd's json-file: clients see the default driver.
  if (!log || !log.Type) hc.LogConfig = { Type: 'json-file', Config: log?.Config ?? {} };
  if (!hc.ShmSize) hc.ShmSize = 64 * 1024 * 1024;
  if (!hc.Runtime) hc.Runtime = 'runc';
  if (!hc.IpcMode) hc.IpcMode = 'private';
  if (!hc.CgroupnsMode) hc.CgroupnsMode = 'host';
  if (hc.PortBindings === undefined || hc.PortBindings === null) hc.PortBindings = {};
  if (!Array.isArray(hc.ConsoleSize)) hc.ConsoleSize = [0, 0];
  for (const k of ['Dns', 'DnsOptions', 'DnsSearch'] as const) if (hc[k] === undefined || hc[k] === null) hc[k] = [];
  for (const k of ['AutoRemove', 'Privileged', 'PublishAllPorts', 'ReadonlyRootfs'] as const) if (hc[k] === undefined) hc[k] = false;
}

/** What create reads of an image config: its `config` object (null when none) and its os (inspect's Platform). */
function imageFacts(json: string): { config: ContainerConfig | null; os: string } {
  try {
    const parsed = JSON.parse(json) as { config?: ContainerConfig | null; os?: string } | null;
    return { config: parsed?.config ?? null, os: parsed?.os || 'linux' };
  } catch {
    throw RpcError.internal('the image config is not valid JSON');
  }
}

/** How many generated names to try before giving up; collisions are rare. */
const NAME_ATTEMPTS = 10;

/** Container records: create, find, list, rename, remove, prune. */
export class ContainerManager {
  constructor(
    private readonly store: ContainerStore,
    private readonly images: ContainerImages,
    private readonly events: EventSink,
    private readonly logger: Logger,
    private readonly volumes: VolumeReferences,
    private readonly paths: ContainerPaths,
    /** The lifecycle removes containers (it tears down what runs). */
    private readonly lifecycle: ContainerRemoval,
    /** network-service: the networks a create names must exist. */
    private readonly networks: NetworkResolver,
  ) {}

  private emit(action: string, record: ContainerRecord, extra: Record<string, string> = {}): void {
    emitContainerEvent(this.events, this.logger, action, record, extra);
  }

  /**
   * docker create: the image is resolved and its layers leased to the new
   * container in one step, so no rmi or prune can take them from it.
   */
  async create(input: CreateInput): Promise<{ id: string; warnings: string[] }> {
    const wanted = input.name === '' ? '' : validateContainerName(input.name);
    const workdirError = workingDirError(input.config.WorkingDir);
    if (workdirError) throw RpcError.invalidArgument(workdirError);
    const id = generateContainerId();
    return this.images.withLease(id, input.image, input.platform, (img) => this.createFrom(id, wanted, input, img));
  }

  private async createFrom(id: string, wanted: string, input: CreateInput, img: LeasedImage): Promise<{ id: string; warnings: string[] }> {
    const image = imageFacts(img.configJson);
    const config = mergeImageConfig({ ...input.config, Image: input.image }, image.config);
    const { path, args } = commandOf(config);
    if (path === '') throw RpcError.invalidArgument('No command specified');
    const hostConfig: HostConfig = { ...input.hostConfig };
    if (!hostConfig.NetworkMode || hostConfig.NetworkMode === 'default') hostConfig.NetworkMode = 'bridge';
    const policyError = validateRestartPolicy(hostConfig.RestartPolicy, hostConfig.AutoRemove === true);
    if (policyError) throw RpcError.invalidArgument(policyError);
    const unimplemented = unimplementedOption(hostConfig);
    if (unimplemented) throw RpcError.invalidArgument(unimplemented);
    // dockerd refuses a bad --security-opt at create, not when the container first starts
    try {
      parseSecurityOpt(hostConfig.SecurityOpt as string[] | null | undefined);
    } catch (err) {
      if (err instanceof SecurityOptError) throw RpcError.invalidArgument(err.message);
      throw err;
    }
    applyHostConfigDefaults(hostConfig);
    const net = await planNetworks(
      { config: input.config as Record<string, unknown>, hostConfig: hostConfig as Record<string, unknown>, endpointsConfig: input.networkingConfig?.EndpointsConfig as never },
      this.networks,
    );
    this.checkLinks(hostConfig);
    // dockerd names the shared namespace's container by its id from create on; an unknown one fails the start
    // (a 404 at create would make the CLI pull the image)
    const sharedWith = containerModeTarget(hostConfig.NetworkMode);
    const owner = sharedWith === undefined ? undefined : this.findQuietly(sharedWith);
    if (owner) hostConfig.NetworkMode = `container:${owner.Id}`;
    const exposed = withBoundPortsExposed(config.ExposedPorts as never, hostConfig.PortBindings as never);
    if (exposed) config.ExposedPorts = exposed;
    const plan = [...planMounts(hostConfig, config.Volumes as Record<string, unknown> | null | undefined)];
    for (const m of this.volumesFrom(hostConfig.VolumesFrom)) if (!plan.some((p) => p.destination === m.destination)) plan.push(m);
    // (--network container:X takes X's hostname at start)
    if (!config.Hostname) config.Hostname = hostConfig.NetworkMode === 'host' ? os.hostname() : id.slice(0, 12);
    const layerPaths = img.layerPaths;
    const base: Omit<ContainerRecord, 'Name'> = {
      Id: id,
      Created: rfc3339Nano(),
      Path: path,
      Args: args,
      ImageName: input.image,
      Image: img.id,
      Config: config,
      HostConfig: hostConfig,
      NetworkingConfig: { EndpointsConfig: net.endpoints as NetworkingConfig['EndpointsConfig'] },
      NetworkSettings: net.settings as ContainerRecord['NetworkSettings'],
      // dockerd records the image's os, also when --platform named an architecture.
      Platform: image.os,
      State: { Status: 'created' },
      RestartCount: 0,
      LayerPaths: layerPaths,
      Mounts: [],
      LogPath: '',
      GraphDriver: {
        LowerDir: layerPaths.join(':'),
        UpperDir: this.paths.upper(id),
        WorkDir: this.paths.work(id),
        MergedDir: this.paths.rootfs(id),
      },
    };
    let record: ContainerRecord | undefined;
    if (wanted !== '') {
      record = { ...base, Name: wanted };
      const res = this.store.insert(record);
      if (!res.ok) throw nameConflict(wanted, res.holder);
    } else {
      for (let attempt = 0; attempt < NAME_ATTEMPTS && !record; attempt++) {
        const candidate = { ...base, Name: generateContainerName(attempt) };
        if (this.store.insert(candidate).ok) record = candidate;
      }
      if (!record) throw RpcError.internal('could not generate a unique container name');
    }
    try {
      writeInitLayer(this.paths.upper(id), layerPaths);
    } catch (err) {
      this.discard(id);
      throw err;
    }
    if (plan.length > 0) {
      try {
        const linked = await this.volumes.link(id, plan);
        record = this.store.update(id, (r) => ({ ...r, Mounts: linked.points, MountPlan: linked.mounts })) ?? record;
      } catch (err) {
        this.discard(id);
        throw err;
      }
    }
    this.emit('create', record);
    return { id, warnings: net.warnings };
  }

  /**
   * dockerd's registerLinks: on the default bridge every linked container
   * must exist (its running is checked at start), and not use the host's network.
   */
  private checkLinks(hc: HostConfig): void {
    const mode = String(hc.NetworkMode ?? 'bridge');
    if (mode !== 'bridge') return;
    for (const spec of (hc.Links as string[] | null | undefined) ?? []) {
      const { name } = parseLink(spec);
      let child: ContainerRecord;
      try {
        child = this.resolve(name).record;
      } catch (err) {
        throw RpcError.invalidArgument(`could not get container for ${name}: ${(err as Error).message}`);
      }
      if (String(child.HostConfig.NetworkMode) === 'host') {
        throw RpcError.invalidArgument("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
      }
    }
  }

  /** A create that failed half-way leaves neither record nor files. */
  private discard(id: string): void {
    this.store.delete(id);
    fs.rmSync(this.paths.dir(id), { recursive: true, force: true });
  }

  /** HostConfig.VolumesFrom (`name[:ro|rw]`): the other container's volumes and binds at the same places. */
  private volumesFrom(specs: unknown): PlannedMount[] {
    if (!Array.isArray(specs)) return [];
    const out: PlannedMount[] = [];
    for (const spec of specs.map(String)) {
      const [ref, mode = ''] = spec.split(':');
      if (mode !== '' && mode !== 'ro' && mode !== 'rw') throw RpcError.invalidArgument(`invalid mode for volumes-from: ${mode}`);
      const source = this.resolve(ref).record;
      for (const m of source.MountPlan ?? []) {
        if (m.type === 'tmpfs') continue;
        const readOnly = mode === '' ? m.readOnly : mode === 'ro';
        out.push({ ...m, source: m.volumeName ?? m.source, readOnly, copyImageData: false, listed: undefined });
      }
    }
    return out;
  }

  private findQuietly(ref: string): ContainerRecord | undefined {
    try {
      return this.resolve(ref).record;
    } catch {
      return undefined;
    }
  }

  /** dockerd's GetContainer: full id, then name, then unique id prefix. */
  resolve(ref: string): StoredContainer {
    if (ref === '') throw noSuchContainer(ref);
    const exact = this.store.get(ref);
    if (exact) return exact;
    const named = this.store.byName(ref.replace(/^\//, ''));
    if (named) return named;
    if (/^[0-9a-f]+$/.test(ref)) {
      const found = this.store.byPrefix(ref);
      if (found.length > 1) throw RpcError.invalidArgument(`Multiple IDs found with provided prefix: ${ref}`);
      if (found.length === 1) return found[0];
    }
    throw noSuchContainer(ref);
  }

  inspect(ref: string): ContainerRecord {
    return this.resolve(ref).record;
  }

  list(all: boolean, limit: number, filters: Filter[]): ContainerRecord[] {
    return this.listStored(all, limit, filters).map((c) => c.record);
  }

  /** As list, with each record's stored JSON. */
  listStored(all: boolean, limit: number, filters: Filter[]): StoredContainer[] {
    const f = Filters.fromList(filters);
    checkListFilters(f);
    const seqOf = (key: string): number | undefined => {
      const v = f.get(key);
      return v.length > 0 ? this.resolve(v[0]).seq : undefined;
    };
    const keep = listPredicate({ all, limit, filters: f }, { beforeSeq: seqOf('before'), sinceSeq: seqOf('since') });
    const out = this.store.list().filter(keep);
    return limit > 0 ? out.slice(0, limit) : out;
  }

  async remove(ref: string, force: boolean, removeVolumes: boolean): Promise<void> {
    const { record } = this.resolve(ref);
    return this.lifecycle.remove(record.Id, force, removeVolumes);
  }

  rename(ref: string, newName: string): void {
    if (ref === '' || newName === '') throw RpcError.invalidArgument('Neither old nor new names may be empty');
    const { record } = this.resolve(ref);
    const name = validateContainerName(newName);
    if (name === record.Name) throw RpcError.invalidArgument('Renaming a container with the same name as its current name');
    const res = this.store.rename(record.Id, name);
    if (!res.ok) throw nameConflict(name, res.holder);
    this.emit('rename', { ...record, Name: name }, { oldName: `/${record.Name}` });
  }

  async prune(filters: Filter[]): Promise<{ deleted: string[]; reclaimed: number }> {
    const keep = prunePredicate(Filters.fromList(filters));
    const deleted: string[] = [];
    for (const { record } of this.store.list()) {
      if (!keep(record)) continue;
      try {
        await this.lifecycle.remove(record.Id, false, false);
        deleted.push(record.Id);
      } catch {
        // started meanwhile, or removed by someone else
      }
    }
    // dockerd reports every prune, even one that removed nothing.
    this.events.publish({ Type: 'container', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '0' } } }).catch(() => undefined);
    return { deleted, reclaimed: 0 };
  }

  summary(): { containers: number; running: number; paused: number; stopped: number } {
    let running = 0;
    let paused = 0;
    let stopped = 0;
    for (const { record } of this.store.list()) {
      if (record.State.Status === 'running' || record.State.Status === 'restarting') running++;
      else if (record.State.Status === 'paused') paused++;
      else stopped++;
    }
    return { containers: running + paused + stopped, running, paused, stopped };
  }
}
