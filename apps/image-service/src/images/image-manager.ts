import * as fs from 'node:fs';
import { Filters, TimestampError, parseTimestamp, unixTimeToSeconds } from '@berth/engine-api';
import type { EventInput, EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import { InvalidReferenceError, isValidTag, familiarName, familiarMatch } from '@berth/reference';
import { ContentStore } from '../store/content-store';
import { ImageDb, ImageRecord, LayerRecord } from '../store/image-db';
import { LayerStore } from '../store/layer-store';
import { sha256 } from '../store/digest';
import { createdSeconds, parseConfig } from './image-config';
import { HEX_PREFIX, familiarOf, namedRef } from './names';

/** Lease ids of containers: "container/<container id>". */
export const CONTAINER_LEASE_PREFIX = 'container/';

export interface ImageView {
  record: ImageRecord;
  repoTags: string[];
  repoDigests: string[];
  layers: LayerRecord[];
}

export interface DeleteItem { untagged: string; deleted: string }

const LIST_FILTERS = ['before', 'dangling', 'label', 'label!', 'reference', 'since', 'until'];
const PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'];

/** The `until` filter of image list and prune, in unix seconds. */
function untilCutoff(value: string): number {
  try {
    return unixTimeToSeconds(parseTimestamp(value));
  } catch (err) {
    if (err instanceof TimestampError) throw RpcError.invalidArgument(`invalid filter 'until=${value}'`);
    throw err;
  }
}

/** Images, references and layers: the behaviour of dockerd's image service. */
export class ImageManager {
  constructor(
    readonly db: ImageDb,
    readonly content: ContentStore,
    readonly layers: LayerStore,
    private readonly events: EventSink,
    private readonly logger: Logger,
  ) {}

  /** Whether a layer has its record: only then is its directory trusted (see LayerStore). */
  readonly isLayerRecorded = (chainId: string): boolean => this.db.layer(chainId) !== undefined;

  /**
   * Containers created from an image, as their leases say: running ones
   * (active leases) and the rest. container-service keeps the leases.
   */
  containerUsers(imageId: string): { running: string[]; stopped: string[] } {
    const running: string[] = [];
    const stopped: string[] = [];
    for (const lease of this.db.leases.holdersOf(imageId, CONTAINER_LEASE_PREFIX)) {
      (lease.active ? running : stopped).push(lease.id.slice(CONTAINER_LEASE_PREFIX.length));
    }
    return { running, stopped };
  }

  emit(event: EventInput): void {
    this.events.publish(event).catch((err: unknown) => this.logger.warn('event not published', { action: event.Action, error: String(err) }));
  }

  /** Finds an image by ID, ID prefix, tag or digest reference, as dockerd's GetImage. */
  resolve(name: string): ImageRecord {
    const notFound = () => RpcError.notFound(`No such image: ${name}`);
    if (name === '') throw notFound();
    if (/^sha256:[a-f0-9]{64}$/.test(name) || /^[a-f0-9]{64}$/.test(name)) {
      const img = this.db.image(name.startsWith('sha256:') ? name : `sha256:${name}`);
      if (img) return img;
      throw notFound();
    }
    let byRef: string | undefined;
    try {
      const ref = namedRef(name);
      byRef = this.db.refTarget(ref.canonical);
    } catch (err) {
      if (!(err instanceof InvalidReferenceError) || !HEX_PREFIX.test(name)) {
        if (err instanceof InvalidReferenceError) throw RpcError.invalidArgument(err.message);
        throw err;
      }
    }
    if (byRef) {
      const img = this.db.image(byRef);
      if (img) return img;
    }
    if (HEX_PREFIX.test(name)) {
      const prefix = name.startsWith('sha256:') ? name : `sha256:${name}`;
      const ids = this.db.idsWithPrefix(prefix);
      if (ids.length === 1) return this.db.image(ids[0])!;
      if (ids.length > 1) throw RpcError.notFound(`No such image: ${name}`);
    }
    throw RpcError.notFound(`No such image: ${name.includes(':') || name.includes('@') || HEX_PREFIX.test(name) ? name : `${name}:latest`}`);
  }

  view(record: ImageRecord, refs = this.db.refsOf(record.id)): ImageView {
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const r of refs) (r.isDigest ? repoDigests : repoTags).push(familiarOf(r.ref));
    const layers = record.chainIds.map((c) => this.db.layer(c)).filter((l): l is LayerRecord => Boolean(l));
    return { record, repoTags, repoDigests, layers };
  }

  inspect(name: string): ImageView {
    return this.view(this.resolve(name));
  }

  list(filtersList: { key: string; values: string[] }[], all: boolean): ImageView[] {
    const filters = Filters.fromList(filtersList).validate(LIST_FILTERS);
    const refsBy = new Map<string, { ref: string; isDigest: boolean }[]>();
    for (const r of this.db.allRefs()) {
      const list = refsBy.get(r.imageId) ?? [];
      list.push({ ref: r.ref, isDigest: r.isDigest });
      refsBy.set(r.imageId, list);
    }
    const dangling = filters.contains('dangling') ? filters.getBool('dangling', false) : undefined;
    const before = filters.get('before').map((n) => this.resolve(n).created);
    const since = filters.get('since').map((n) => this.resolve(n).created);
    const until = filters.get('until').map(untilCutoff);
    const images = this.db.images();
    const parents = new Set(images.map((i) => i.parent).filter(Boolean));
    const out: ImageView[] = [];
    for (const img of images) {
      const refs = refsBy.get(img.id) ?? [];
      const tagged = refs.some((r) => !r.isDigest);
      if (!all && !tagged && parents.has(img.id)) continue; // intermediate build images
      if (dangling !== undefined && dangling === tagged) continue;
      if (before.some((t) => img.created >= t) || since.some((t) => img.created <= t) || until.some((t) => img.created > t)) continue;
      const labels = parseConfig(img.config).config?.Labels ?? {};
      if (!filters.matchKVList('label', labels ?? {})) continue;
      if (filters.contains('label!') && filters.matchKVList('label!', labels ?? {})) continue;
      let view = this.view(img, refs);
      if (filters.contains('reference')) {
        const patterns = filters.get('reference');
        const matching = (list: string[]) => list.filter((t) => patterns.some((p) => {
          try {
            return familiarMatch(p, namedRef(t).ref);
          } catch {
            return false;
          }
        }));
        const tags = matching(view.repoTags);
        const digests = matching(view.repoDigests);
        if (tags.length === 0 && digests.length === 0) continue;
        view = { ...view, repoTags: tags, repoDigests: digests };
      }
      out.push(view);
    }
    return out.sort((a, b) => b.record.created - a.record.created || a.record.id.localeCompare(b.record.id));
  }

  history(name: string): { id: string; created: number; createdBy: string; tags: string[]; size: number; comment: string }[] {
    const view = this.inspect(name);
    const cfg = parseConfig(view.record.config);
    const history = cfg.history ?? [];
    const layerSizes = view.layers.map((l) => l.size);
    const out: { id: string; created: number; createdBy: string; tags: string[]; size: number; comment: string }[] = [];
    let layerIndex = 0;
    for (const h of history) {
      const size = h.empty_layer ? 0 : (layerSizes[layerIndex++] ?? 0);
      out.push({ id: '<missing>', created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0, createdBy: h.created_by ?? '', tags: [], size, comment: h.comment ?? '' });
    }
    if (out.length === 0) {
      for (const size of layerSizes) out.push({ id: '<missing>', created: view.record.created, createdBy: '', tags: [], size, comment: '' });
    }
    out.reverse();
    if (out.length > 0) {
      out[0].id = view.record.id;
      out[0].tags = view.repoTags;
    }
    return out;
  }

  tag(source: string, repo: string, tag: string): void {
    const img = this.resolve(source);
    if (repo === '') throw RpcError.invalidArgument('repository name must have at least one component');
    const t = tag || 'latest';
    if (!isValidTag(t)) throw RpcError.invalidArgument(`invalid tag format`);
    if (/^[a-f0-9]{64}$/.test(repo)) throw RpcError.invalidArgument(`invalid repository name (${repo}), cannot specify 64-byte hexadecimal strings`);
    let ref;
    try {
      ref = namedRef(`${repo}:${t}`);
    } catch (err) {
      throw RpcError.invalidArgument(err instanceof Error ? err.message : String(err));
    }
    this.db.setRef(ref.canonical, img.id, false);
    this.db.touchTagTime(img.id);
    this.emit({ Type: 'image', Action: 'tag', Actor: { ID: img.id, Attributes: { name: ref.familiar } } });
  }

  /** docker rmi, as dockerd's ImageDelete. */
  async remove(name: string, force: boolean, noPrune: boolean): Promise<DeleteItem[]> {
    const img = this.resolve(name);
    const refs = this.db.refsOf(img.id);
    const items: DeleteItem[] = [];
    const byId = /^(sha256:)?[a-f0-9]+$/.test(name) && !refs.some((r) => !r.isDigest && familiarOf(r.ref) === name);
    if (!byId) {
      const ref = namedRef(name);
      const tags = refs.filter((r) => !r.isDigest);
      const usage = tags.length === 1 && tags[0].ref === ref.canonical ? this.containerUsers(img.id) : { running: [], stopped: [] };
      const user = usage.running[0] ?? usage.stopped[0];
      if (user && !force) {
        throw RpcError.conflict(`conflict: unable to remove repository reference "${name}" (must force) - container ${user.slice(0, 12)} is using its referenced image ${img.id.slice(7, 19)}`);
      }
      if (this.db.deleteRef(ref.canonical)) {
        items.push({ untagged: ref.familiar, deleted: '' });
        this.emit({ Type: 'image', Action: 'untag', Actor: { ID: img.id, Attributes: { name: ref.familiar } } });
      }
      const remaining = this.db.refsOf(img.id);
      // Digest references of the same repository go with the last tag.
      const otherTags = remaining.filter((r) => !r.isDigest);
      if (otherTags.length > 0) return items;
      // A running container keeps its image even when forced: only the name goes.
      if (usage.running.length > 0) return items;
      for (const r of remaining) {
        this.db.deleteRef(r.ref);
        items.push({ untagged: familiarOf(r.ref), deleted: '' });
      }
    } else {
      const repos = new Set(refs.filter((r) => !r.isDigest).map((r) => familiarName(namedRef(r.ref).ref)));
      this.checkUsage(img, force);
      if (repos.size > 1 && !force) {
        throw RpcError.conflict(`conflict: unable to delete ${img.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
      }
      for (const r of refs) {
        this.db.deleteRef(r.ref);
        items.push({ untagged: familiarOf(r.ref), deleted: '' });
        if (!r.isDigest) this.emit({ Type: 'image', Action: 'untag', Actor: { ID: img.id, Attributes: { name: familiarOf(r.ref) } } });
      }
    }
    void noPrune; // parent images only exist with builds; nothing to keep yet
    items.push(...(await this.deleteImage(img)).items);
    return items;
  }

  /** dockerd refuses to delete an image a container uses: always if running, unless forced if stopped. */
  private checkUsage(img: ImageRecord, force: boolean): void {
    const { running, stopped } = this.containerUsers(img.id);
    const short = img.id.slice(7, 19);
    if (running.length > 0) throw RpcError.conflict(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running[0].slice(0, 12)}`);
    if (stopped.length > 0 && !force) throw RpcError.conflict(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${stopped[0].slice(0, 12)}`);
  }

  /**
   * Deletes the image record, and every layer no other image uses and no
   * lease holds; returns bytes freed. The records go in one transaction
   * before the first await, so nothing can lease what is being deleted.
   */
  private async deleteImage(img: ImageRecord): Promise<{ items: DeleteItem[]; reclaimed: number }> {
    const freed = this.db.deleteImage(img.id);
    const reclaimed = await this.removeLayers(freed);
    this.content.remove(img.id);
    this.emit({ Type: 'image', Action: 'delete', Actor: { ID: img.id, Attributes: { name: img.id } } });
    return { items: [{ untagged: '', deleted: img.id }], reclaimed };
  }

  /**
   * Removes the directories and unused blobs of layers whose records are
   * gone; returns their size. Called in the tick of the transaction that
   * freed them: every directory is moved aside before the first await.
   */
  async removeLayers(freed: LayerRecord[]): Promise<number> {
    let reclaimed = 0;
    const trash: string[] = [];
    for (const layer of freed) {
      const aside = this.layers.moveAside(layer.chainId);
      if (aside) trash.push(aside);
      reclaimed += layer.size;
      if (!this.db.blobInUse(layer.blobDigest)) this.content.remove(layer.blobDigest);
    }
    await Promise.all(trash.map((dir) => fs.promises.rm(dir, { recursive: true, force: true })));
    return reclaimed;
  }

  async prune(filtersList: { key: string; values: string[] }[]): Promise<{ items: DeleteItem[]; reclaimed: number }> {
    const filters = Filters.fromList(filtersList).validate(PRUNE_FILTERS);
    const danglingOnly = filters.contains('dangling') ? filters.getBool('dangling', true) : true;
    const until = filters.get('until').map(untilCutoff);
    const items: DeleteItem[] = [];
    let reclaimed = 0;
    const tagged = new Set(this.db.allRefs().filter((r) => !r.isDigest).map((r) => r.imageId));
    for (const img of this.db.images()) {
      if (danglingOnly && tagged.has(img.id)) continue;
      if (!this.db.image(img.id)) continue; // deleted meanwhile, while an earlier one was removed
      const used = this.containerUsers(img.id);
      if (used.running.length + used.stopped.length > 0) continue;
      if (until.some((t) => img.created > t)) continue;
      const labels = parseConfig(img.config).config?.Labels ?? {};
      if (!filters.matchKVList('label', labels)) continue;
      if (filters.contains('label!') && filters.matchKVList('label!', labels)) continue;
      for (const r of this.db.refsOf(img.id)) {
        this.db.deleteRef(r.ref);
        items.push({ untagged: familiarOf(r.ref), deleted: '' });
      }
      const res = await this.deleteImage(img);
      items.push(...res.items);
      reclaimed += res.reclaimed;
    }
    this.emit({ Type: 'image', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(reclaimed) } } });
    return { items, reclaimed };
  }

  /** Stores an image whose layers are unpacked, and points the given references at it. */
  commit(configRaw: Buffer, chainIds: string[], refs: string[]): { id: string; untaggedElsewhere: string[] } {
    const cfg = parseConfig(configRaw);
    const id = sha256(configRaw);
    const size = chainIds.reduce((sum, c) => sum + (this.db.layer(c)?.size ?? 0), 0);
    const named = refs.map((r) => namedRef(r));
    const { previous } = this.db.commitImage(
      { id, config: configRaw.toString(), size, created: createdSeconds(cfg), parent: '', chainIds },
      named.map((n) => ({ ref: n.canonical, isDigest: n.isDigest })),
    );
    return { id, untaggedElsewhere: [...previous.keys()] };
  }

  count(): number {
    return this.db.count();
  }
}
