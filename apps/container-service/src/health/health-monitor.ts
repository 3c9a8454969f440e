import type { EventSink } from '@berth/events';
import type { Logger } from '@berth/logging';
import { rfc3339Nano } from '../containers/container-manager';
import type { ContainerRecord } from '../containers/container-record';
import type { ContainerStore } from '../containers/container-store';
import type { ProbeResult } from './exec-probe-runner';
import { applyProbeResult, healthTiming, HealthTiming, nextDelay, probeCommand, startingHealth } from './health-state';

/** What runs one probe: ExecProbeRunner. */
export interface ProbeRunner {
  runProbe(containerId: string, cmd: string[], timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult>;
}

interface Monitor {
  timer?: NodeJS.Timeout;
  abort: AbortController;
  stopped: boolean;
}

/**
 * Runs a container's Config.Healthcheck while it runs, as dockerd's health
 * monitor does, and keeps State.Health in the record.
 *
 * The lifecycle calls `start(record)` when a container has started (and for
 * running containers adopted after a restart of this service) and `stop(id)`
 * when it stops, pauses or is removed; `resume(record)` after an unpause.
 */
export class HealthMonitor {
  private readonly monitors = new Map<string, Monitor>();

  constructor(
    private readonly store: ContainerStore,
    private readonly probes: ProbeRunner,
    private readonly events: EventSink,
    private readonly logger: Logger,
  ) {}

  /** Resets State.Health to starting and begins probing; nothing for a container without a usable healthcheck. */
  start(record: ContainerRecord): void {
    this.begin(record, true);
  }

  /** Probing again after an unpause: the status stays as it is until the next probe (dockerd's updateHealthMonitor). */
  resume(record: ContainerRecord): void {
    this.begin(record, false);
  }

  /**
   * Stops probing; a probe in flight is killed and its result dropped. As in
   * dockerd, a monitor that stops leaves the status unhealthy (no event).
   */
  stop(id: string): void {
    const m = this.monitors.get(id);
    if (!m) return;
    this.halt(id, m);
    this.store.update(id, (r) => (r.State.Health ? { ...r, State: { ...r.State, Health: { ...r.State.Health, Status: 'unhealthy' } } } : undefined));
  }

  /** Service shutdown: no more probes, records left as they are. */
  stopAll(): void {
    for (const [id, m] of this.monitors) this.halt(id, m);
  }

  running(id: string): boolean {
    return this.monitors.has(id);
  }

  private halt(id: string, m: Monitor): void {
    m.stopped = true;
    if (m.timer) clearTimeout(m.timer);
    m.abort.abort();
    if (this.monitors.get(id) === m) this.monitors.delete(id);
  }

  private begin(record: ContainerRecord, reset: boolean): void {
    const cmd = probeCommand(record.Config.Healthcheck, record.Config.Shell);
    if (!cmd) return;
    const existing = this.monitors.get(record.Id);
    if (existing) this.halt(record.Id, existing);
    const timing = healthTiming(record.Config.Healthcheck!);
    const startedAtMs = record.State.StartedAt ? Date.parse(record.State.StartedAt) : Date.now();
    const current = reset
      ? this.store.update(record.Id, (r) => ({ ...r, State: { ...r.State, Health: startingHealth(r.State.Health) } }))
      : this.store.get(record.Id)?.record;
    if (!current) return;
    const m: Monitor = { abort: new AbortController(), stopped: false };
    this.monitors.set(record.Id, m);
    this.schedule(record.Id, m, cmd, timing, startedAtMs, current.State.Health?.Status ?? 'starting');
  }

  private schedule(id: string, m: Monitor, cmd: string[], timing: HealthTiming, startedAtMs: number, status: string): void {
    if (m.stopped) return;
    m.timer = setTimeout(() => void this.probe(id, m, cmd, timing, startedAtMs), nextDelay(timing, status, Date.now() - startedAtMs));
    m.timer.unref();
  }

  private async probe(id: string, m: Monitor, cmd: string[], timing: HealthTiming, startedAtMs: number): Promise<void> {
    // dockerd probes only running, unpaused containers; a paused one is unhealthy (without an
    // event) until it runs again, and a stop the lifecycle did not report ends the monitor
    const status = this.store.get(id)?.record.State.Status;
    if (status === 'paused') {
      this.store.update(id, (r) => (r.State.Health && r.State.Health.Status !== 'unhealthy' ? { ...r, State: { ...r.State, Health: { ...r.State.Health, Status: 'unhealthy' } } } : undefined));
      this.schedule(id, m, cmd, timing, startedAtMs, 'unhealthy');
      return;
    }
    if (status !== 'running') {
      if (status !== undefined && this.monitors.get(id) === m) this.stop(id);
      else this.halt(id, m);
      return;
    }
    const probeStartMs = Date.now();
    const start = rfc3339Nano(probeStartMs);
    let result: ProbeResult;
    if (cmd.length === 0) {
      result = { exitCode: -1, output: `healthcheck for container ${id} has no command` };
    } else {
      try {
        result = await this.probes.runProbe(id, cmd, timing.timeoutMs, m.abort.signal);
      } catch (err) {
        result = { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
      }
    }
    if (m.stopped) return;
    const entry = { Start: start, End: rfc3339Nano(), ExitCode: result.exitCode, Output: result.output };
    let before = '';
    const updated = this.store.update(id, (r) => {
      before = r.State.Health?.Status ?? 'starting';
      const health = applyProbeResult(r.State.Health ?? startingHealth(undefined), entry, {
        retries: timing.retries, startPeriodMs: timing.startPeriodMs, startedAtMs, probeStartMs,
      });
      return { ...r, State: { ...r.State, Health: health } };
    });
    if (!updated) {
      // the container is gone
      this.halt(id, m);
      return;
    }
    const after = updated.State.Health!.Status;
    if (after !== before) this.emit(updated, `health_status: ${after}`);
    this.schedule(id, m, cmd, timing, startedAtMs, after);
  }

  private emit(record: ContainerRecord, action: string): void {
    this.events.publish({
      Type: 'container',
      Action: action,
      Actor: { ID: record.Id, Attributes: { ...(record.Config.Labels ?? {}), image: record.ImageName, name: record.Name } },
    }).catch((err: unknown) => {
      this.logger.warn('event not published', { action, container: record.Id, error: err instanceof Error ? err.message : String(err) });
    });
  }
}
