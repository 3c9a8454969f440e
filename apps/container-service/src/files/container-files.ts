import * as fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openMaybeCompressed } from '@berth/archive';
import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { RpcError } from '@berth/rpc';
import type { ContainerManager } from '../containers/container-manager';
import type { ContainerPaths } from '../containers/container-paths';
import type { ContainerRecord } from '../containers/container-record';
import { emitContainerEvent } from '../containers/container-events';
import type { RootfsManager } from '../rootfs/rootfs-manager';
import { ChangeWalker, type Change } from './changes';
import { HelperFailure, startHelper, type HelperRun } from './fs-helper-client';
import type { HelperRequest } from './fs-helper-protocol';
import { layerDiff } from './layer-diff';
import { graftMounts, viewMounts, volumePoints, type ViewMount } from './mount-view';
import { archiveTarget, packTarget, statForCp, type ArchiveTarget } from './cp-read';
import { PinnedView } from './pinned-view';
import { ScopedPathError } from './scoped-path';
import type { PathStatJson } from './path-stat';

export interface PutArchiveOptions {
  noOverwriteDirNonDir: boolean;
  copyUidGid: boolean;
}

/** A tar being produced; `done` settles once it is complete (or failed), `cancel` stops it. */
export interface TarStream {
  stream: Readable;
  done: Promise<void>;
  cancel(): void;
}

export interface ArchiveStream extends TarStream {
  stat: PathStatJson;
}

/**
 * docker cp (stat, archive, extract), export, diff, and the writable layer
 * as a layer tar for commit. The root filesystem is held mounted for each
 * operation (RootfsManager counts holders, so a running container's mount
 * is shared and a stopped one's is made for the operation). Everything
 * that reads or writes the container's tree by path runs in the fs helper,
 * chrooted in the root with the volumes and /etc files really mounted in
 * its own mount namespace (see fs-helper.ts for why).
 */
export class ContainerFiles {
  constructor(
    private readonly containers: ContainerManager,
    private readonly rootfs: RootfsManager,
    private readonly paths: ContainerPaths,
    private readonly events: EventSink,
    private readonly logger: Logger,
    /** For tests: the compiled helper script. */
    private readonly helperScript?: string,
  ) {}

  private helper(req: HelperRequest): HelperRun {
    return startHelper(req, {
      script: this.helperScript,
      onWarning: (message) => this.logger.warn('docker cp', { message }),
    });
  }

  /** A helper failure in dockerd's words and status. */
  private failure(err: unknown, ref: string, requested: string): unknown {
    if (!(err instanceof HelperFailure)) return err;
    if (err.kind === 'notFound') return RpcError.notFound(`Could not find the file ${requested} in container ${ref}`);
    if (err.kind === 'invalid') return RpcError.invalidArgument(err.message);
    return RpcError.internal(err.message);
  }

  private async hold<T>(record: ContainerRecord, fn: (rootfs: string) => Promise<T>): Promise<T> {
    return this.rootfs.with(record.Id, record.LayerPaths ?? [], fn);
  }

  /**
   * HEAD /containers/{id}/archive: looked up here (docker cp in asks it
   * first, so this saves a helper per copy), through descriptors of each
   * directory on the way (PinnedView): a directory the container swaps for
   * a symlink meanwhile is not followed onto the host.
   */
  async statPath(ref: string, requested: string): Promise<PathStatJson> {
    const { record } = this.containers.resolve(ref);
    return this.hold(record, async (rootfs) => {
      const view = new PinnedView(rootfs, graftMounts(rootfs, viewMounts(record)));
      try {
        return statForCp(rootfs, requested, undefined, view);
      } catch (err) {
        throw this.lookupFailure(err, ref, requested);
      } finally {
        view.close();
      }
    });
  }

  /** A lookup failure in the container's tree in dockerd's words and status. */
  private lookupFailure(err: unknown, ref: string, requested: string): unknown {
    if (err instanceof ScopedPathError) {
      if (err.code === 'ENOENT') return RpcError.notFound(`Could not find the file ${requested} in container ${ref}`);
      return RpcError.internal(err.message);
    }
    return this.failure(err, ref, requested);
  }

  /**
   * GET /containers/{id}/archive: the stat, then the tar. A single file (or
   * link) is read here through its pinned directory (PinnedView), which is
   * what most docker cp out do; a directory is packed by the fs helper,
   * chrooted in the root, since a walk by host path could be sent onto the
   * host by a directory swapped for a symlink (CVE-2018-15664).
   */
  async archive(ref: string, requested: string): Promise<ArchiveStream> {
    const { record } = this.containers.resolve(ref);
    const rootfs = await this.rootfs.acquire(record.Id, record.LayerPaths ?? []);
    let released = false;
    const mounts = viewMounts(record);
    const view = new PinnedView(rootfs, graftMounts(rootfs, mounts));
    const release = (): void => {
      if (released) return;
      released = true;
      view.close();
      this.rootfs.release(record.Id).catch((err: unknown) => this.logger.warn('rootfs release failed', { container: record.Id, error: String(err) }));
    };
    let target: ArchiveTarget;
    try {
      target = archiveTarget(rootfs, requested, undefined, view);
      if (target.isDir) return await this.archiveInHelper(record, rootfs, mounts, ref, requested, release);
    } catch (err) {
      release();
      throw this.lookupFailure(err, ref, requested);
    }
    emitContainerEvent(this.events, this.logger, 'archive-path', record);
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const done = pipeline(packTarget(target), out).finally(release);
    done.catch(() => undefined);
    return { stat: target.stat, stream: out, done, cancel: () => out.destroy() };
  }

  private async archiveInHelper(record: ContainerRecord, rootfs: string, mounts: ViewMount[], ref: string, requested: string, release: () => void): Promise<ArchiveStream> {
    const run = this.helper({ op: 'archive', rootfs, mounts, path: requested });
    let stat: PathStatJson;
    try {
      stat = await run.stat;
    } catch (err) {
      run.kill();
      await run.finished.catch(() => undefined);
      throw err;
    }
    emitContainerEvent(this.events, this.logger, 'archive-path', record);
    const done = run.finished.then(release, (err: unknown) => {
      release();
      throw this.failure(err, ref, requested);
    });
    done.catch(() => undefined);
    return { stat, stream: run.stdout!, done, cancel: () => run.kill() };
  }

  /** PUT /containers/{id}/archive: `input` is the tar (possibly compressed). */
  async extract(ref: string, requested: string, opts: PutArchiveOptions, input: Readable): Promise<void> {
    let record: ContainerRecord;
    try {
      record = this.containers.resolve(ref).record;
    } catch (err) {
      input.destroy();
      throw err;
    }
    const user = opts.copyUidGid ? (record.Config.User ?? '') : '';
    await this.hold(record, async (rootfs) => {
      const run = this.helper({
        op: 'extract',
        rootfs,
        mounts: viewMounts(record),
        path: requested,
        noOverwriteDirNonDir: opts.noOverwriteDirNonDir,
        ...(user ? { user } : {}),
        readonlyRootfs: record.HostConfig.ReadonlyRootfs === true,
        volumes: volumePoints(record),
      });
      // Decompressed here: in the helper, chrooted in the container, xz or zstd would be the container's.
      // The helper may stop reading early (a refused destination): its answer is what counts.
      openMaybeCompressed(input)
        .then((opened) => pipeline(opened.stream, run.stdin!))
        .catch(() => run.stdin!.destroy());
      try {
        await run.finished;
      } catch (err) {
        throw this.failure(err, ref, requested);
      }
    }).catch((err: unknown) => {
      input.destroy();
      throw err;
    });
    emitContainerEvent(this.events, this.logger, 'extract-to-dir', record);
  }

  /** GET /containers/{id}/export: the merged root filesystem, without volumes, as dockerd's. */
  async export(ref: string): Promise<TarStream> {
    const { record } = this.containers.resolve(ref);
    if (record.State.Status === 'dead') throw RpcError.conflict(`You cannot export container ${record.Id} which is Dead`);
    if (record.State.Status === 'removing') throw RpcError.conflict(`You cannot export container ${record.Id} which is being removed`);
    const rootfs = await this.rootfs.acquire(record.Id, record.LayerPaths ?? []);
    // Packed by the fs helper inside the root: a running container may swap its directories for links to the host.
    const run = this.helper({ op: 'export', rootfs });
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const packed = pipeline(run.stdout!, out);
    packed.catch(() => undefined);
    const done = Promise.all([run.finished, packed]).then(() => undefined).finally(() => this.rootfs.release(record.Id));
    done.then(() => emitContainerEvent(this.events, this.logger, 'export', record), () => undefined);
    return { stream: out, done, cancel: () => { run.kill(); out.destroy(); } };
  }

  /** GET /containers/{id}/changes. */
  async changes(ref: string): Promise<Change[]> {
    const { record } = this.containers.resolve(ref);
    return ChangeWalker.run(this.paths.upper(record.Id), record.LayerPaths ?? []);
  }

  /** The writable layer as a layer tar, for docker commit (see layerDiff). */
  async layerDiff(ref: string): Promise<TarStream> {
    const { record } = this.containers.resolve(ref);
    const upper = this.paths.upper(record.Id);
    if (!fs.existsSync(upper)) fs.mkdirSync(upper, { recursive: true });
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const done = pipeline(await layerDiff(upper, record.LayerPaths ?? []), out);
    return { stream: out, done, cancel: () => out.destroy() };
  }
}
