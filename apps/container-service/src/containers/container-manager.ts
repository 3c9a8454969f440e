import { Filters } from '@berth/engine-api';
import type { EventInput } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { commandOf, ContainerConfig, mergeImageConfig } from './config-merge';
import { checkListFilters, listPredicate, prunePredicate } from './container-filters';
import type { ContainerRecord } from './container-record';
import { ContainerStore, StoredContainer } from './container-store';
import type { EventSink } from '@berth/events';
import { generateContainerId, generateContainerName, validateContainerName } from './names';

export interface CreateInput {
  name: string;
  config: ContainerConfig;
  hostConfig: Record<string, unknown>;
  networkingConfig: Record<string, unknown>;
  image: string;
  imageId: string;
  /** The image config's `config` object. */
  imageConfig: ContainerConfig | null;
  platform: string;
}

export interface Filter { key: string; values: string[] }

function noSuchContainer(ref: string): RpcError {
  return RpcError.notFound(`No such container: ${ref}`);
}

function nameConflict(name: string, holder: string): RpcError {
  return RpcError.conflict(`Conflict. The container name "/${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
}

/** RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's RFC3339Nano. */
export function rfc3339Nano(ms = Date.now(), extraNs = Number(process.hrtime.bigint() % 1_000_000n)): string {
  const iso = new Date(ms).toISOString();
  const frac = `${iso.slice(20, 23)}${String(extraNs).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** How many generated names to try before giving up; collisions are rare. */
const NAME_ATTEMPTS = 10;

/** Container records: create, find, list, rename, remove, prune. */
export class ContainerManager {
  constructor(private readonly store: ContainerStore, private readonly events: EventSink, private readonly logger: Logger) {}

  private emit(action: string, record: ContainerRecord, extra: Record<string, string> = {}): void {
    const event: EventInput = {
      Type: 'container',
      Action: action,
      Actor: { ID: record.Id, Attributes: { ...(record.Config.Labels ?? {}), image: record.ImageName, name: record.Name, ...extra } },
    };
    this.events.publish(event).catch((err: unknown) => {
      this.logger.warn('event not published', { action, container: record.Id, error: err instanceof Error ? err.message : String(err) });
    });
  }

  create(input: CreateInput): { id: string; warnings: string[] } {
    const wanted = input.name === '' ? '' : validateContainerName(input.name);
    const config = mergeImageConfig({ ...input.config, Image: input.image }, input.imageConfig);
    const { path, args } = commandOf(config);
    if (path === '') throw RpcError.invalidArgument('No command specified');
    const id = generateContainerId();
    if (!config.Hostname) config.Hostname = id.slice(0, 12);
    const hostConfig = { ...input.hostConfig };
    if (!hostConfig.NetworkMode || hostConfig.NetworkMode === 'default') hostConfig.NetworkMode = 'bridge';
    const base: Omit<ContainerRecord, 'Name'> = {
      Id: id,
      Created: rfc3339Nano(),
      Path: path,
      Args: args,
      ImageName: input.image,
      Image: input.imageId,
      Config: config,
      HostConfig: hostConfig,
      NetworkingConfig: input.networkingConfig,
      Platform: input.platform || 'linux',
      State: { Status: 'created' },
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
    this.emit('create', record);
    return { id, warnings: [] };
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
    const f = Filters.fromList(filters);
    checkListFilters(f);
    const seqOf = (key: string): number | undefined => {
      const v = f.get(key);
      return v.length > 0 ? this.resolve(v[0]).seq : undefined;
    };
    const keep = listPredicate({ all, limit, filters: f }, { beforeSeq: seqOf('before'), sinceSeq: seqOf('since') });
    const out = this.store.list().filter(keep).map((c) => c.record);
    return limit > 0 ? out.slice(0, limit) : out;
  }

  remove(ref: string, force: boolean): void {
    const { record } = this.resolve(ref);
    const status = record.State.Status;
    if ((status === 'running' || status === 'paused' || status === 'restarting') && !force) {
      throw RpcError.conflict(`cannot remove container "/${record.Name}": container is ${status}: stop the container before removing or force remove`);
    }
    if (!this.store.delete(record.Id)) throw noSuchContainer(ref);
    this.emit('destroy', record);
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

  prune(filters: Filter[]): { deleted: string[]; reclaimed: number } {
    const keep = prunePredicate(Filters.fromList(filters));
    const deleted: string[] = [];
    for (const { record } of this.store.list()) {
      if (!keep(record)) continue;
      if (this.store.delete(record.Id)) {
        deleted.push(record.Id);
        this.emit('destroy', record);
      }
    }
    // dockerd reports every prune, even one that removed nothing.
    this.events.publish({ Type: 'container', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '0' } } }).catch(() => undefined);
    return { deleted, reclaimed: 0 };
  }

  imageUsage(imageId: string): { running: string[]; stopped: string[] } {
    const running: string[] = [];
    const stopped: string[] = [];
    for (const id of this.store.usersOf(imageId)) {
      const c = this.store.get(id);
      if (!c) continue;
      const s = c.record.State.Status;
      (s === 'running' || s === 'paused' || s === 'restarting' ? running : stopped).push(id);
    }
    return { running, stopped };
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
