import type { Logger } from '@berth/logging';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerPaths } from '../containers/container-paths';
import { rfc3339Nano } from '../containers/time';
import type { AttachLink } from './attach-link';
import type { ContainerRuntime } from './container-runtime';
import type { ContainerSetup, UndoSteps } from './container-setup';
import type { LifecycleObserver } from './lifecycle-observer';
import type { LifecycleRecords } from './lifecycle-records';
import { startFailureOf } from './start-failure';
import { withRequestedSettings } from './network-link';

/** What a failed start of an AutoRemove container needs: its removal (the lock is held). */
export interface LockedRemoval {
  removeLocked(id: string, removeVolumes: boolean): Promise<void>;
}

/**
 * One start of a container (the caller holds its lock): setup, the runtime's
 * create and start, the record set running. A step that fails undoes what
 * the steps before it set up and leaves the error in State (status as it
 * was), with dockerd's exit code and wording.
 */
export class ContainerStarter {
  constructor(
    private readonly records: LifecycleRecords,
    private readonly paths: ContainerPaths,
    private readonly setup: ContainerSetup,
    private readonly runtime: ContainerRuntime,
    private readonly attach: AttachLink,
    private readonly removal: LockedRemoval,
    private readonly observer: LifecycleObserver,
    private readonly logger: Logger,
  ) {}

  /** `policyRestart`: a restart by the restart policy (counted in RestartCount; no AutoRemove on failure). */
  async run(r: ContainerRecord, policyRestart: boolean): Promise<void> {
    const id = r.Id;
    const undo: UndoSteps = [];
    try {
      const marks: [string, number][] = [['begin', Date.now()]];
      const mark = (what: string) => marks.push([what, Date.now()]);
      const { bundle, net, linkEnv } = await this.setup.prepare(r, undo, mark);
      const created = await this.runtime.create({
        id,
        bundle,
        terminal: r.Config.Tty === true,
        stdin: r.Config.OpenStdin === true,
        leaveStdinOpen: r.Config.OpenStdin === true && r.Config.StdinOnce !== true,
      });
      undo.push(() => this.runtime.delete(id).catch(() => undefined));
      mark('create');
      await this.attach.connectWaiting(id);
      await this.runtime.start(id, created.pid);
      mark('start');
      this.logger.debug('started', { container: id, ms: Object.fromEntries(marks.slice(1).map(([k, t], i) => [k, t - marks[i][1]])) });

      const updated = this.records.setState(
        id,
        (s) => {
          s.Status = 'running';
          s.Pid = created.pid;
          s.ExitCode = 0;
          s.Error = '';
          s.OOMKilled = false;
          s.StartedAt = rfc3339Nano();
          if (s.Health) s.Health = { Status: 'starting', FailingStreak: 0, Log: [] };
        },
        (rec) => {
          rec.NetworkSettings = withRequestedSettings(net.settings, rec.NetworkingConfig?.EndpointsConfig as never) as never;
          rec.NetnsPath = net.netnsPath;
          rec.LinkEnv = linkEnv.length > 0 ? linkEnv : undefined;
          // --network container:X: the hostname is X's (dockerd copies it into the config)
          if (net.shared) rec.Config = { ...rec.Config, Hostname: net.shared.hostname.trim() };
          rec.ResolvConfPath = this.paths.resolvConf(id);
          rec.HostnamePath = this.paths.hostname(id);
          rec.HostsPath = this.paths.hosts(id);
          rec.LogPath = this.paths.log(id);
          if (policyRestart) rec.RestartCount = (rec.RestartCount ?? 0) + 1;
          rec.ManuallyStopped = false;
        },
      );
      this.records.emit('start', updated);
      this.observer.started?.(updated);
    } catch (err) {
      for (const u of undo.reverse()) await u().catch(() => undefined);
      const failure = startFailureOf(err);
      this.records.update(id, (rec) => ({ ...rec, State: { ...rec.State, ExitCode: failure.exitCode, Error: failure.error.message } }));
      // dockerd removes an AutoRemove container whose start failed; `docker run --rm` waits for that.
      if (r.HostConfig.AutoRemove === true && !policyRestart) {
        await this.removal.removeLocked(id, true).catch((e: unknown) => this.logger.warn('auto-remove failed', { container: id, error: String(e) }));
      }
      throw failure.error;
    }
  }
}
