import type { ContainerHealth, HealthLogEntry } from '../containers/container-record';
import type { Healthcheck } from '../containers/config-merge';

/** dockerd's defaults (daemon/health.go). */
export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_START_PERIOD_MS = 0;
export const DEFAULT_START_INTERVAL_MS = 5_000;
export const DEFAULT_RETRIES = 3;
/** How many probe results State.Health.Log keeps. */
export const MAX_LOG_ENTRIES = 5;

export interface HealthTiming {
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

/** Healthcheck durations are nanoseconds; zero (or absent) means the default. */
export function healthTiming(hc: Healthcheck): HealthTiming {
  const ms = (ns: number | undefined, dflt: number) => (ns && ns > 0 ? Math.max(1, Math.round(ns / 1e6)) : dflt);
  return {
    intervalMs: ms(hc.Interval, DEFAULT_INTERVAL_MS),
    timeoutMs: ms(hc.Timeout, DEFAULT_TIMEOUT_MS),
    startPeriodMs: ms(hc.StartPeriod, DEFAULT_START_PERIOD_MS),
    startIntervalMs: ms(hc.StartInterval, DEFAULT_START_INTERVAL_MS),
    retries: hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_RETRIES,
  };
}

/**
 * The probe's command (dockerd's getProbe): `CMD args...` as given,
 * `CMD-SHELL cmd` through the container's shell; undefined for `NONE`, no
 * test, or a type dockerd does not know (no monitor then). `CMD` with
 * nothing after it gives an empty command: each probe fails.
 */
export function probeCommand(hc: Healthcheck | null | undefined, shell: string[] | null | undefined): string[] | undefined {
  const test = hc?.Test;
  if (!Array.isArray(test) || test.length === 0) return undefined;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') {
    const cmd = test.slice(1);
    return cmd.length === 0 ? [] : [...(Array.isArray(shell) && shell.length > 0 ? shell : ['/bin/sh', '-c']), ...cmd];
  }
  return undefined;
}

/** The health of a container that just started: starting, streak reset, earlier results kept. */
export function startingHealth(previous: ContainerHealth | undefined): ContainerHealth {
  return { Status: 'starting', FailingStreak: 0, Log: previous?.Log ?? [] };
}

/**
 * dockerd's handleProbeResult: log the result (last five), a success makes
 * the container healthy, failures count unless it is still starting within
 * its start period, and `retries` failures in a row make it unhealthy.
 */
export function applyProbeResult(
  health: ContainerHealth,
  result: HealthLogEntry,
  ctx: { retries: number; startPeriodMs: number; startedAtMs: number; probeStartMs: number },
): ContainerHealth {
  const log = [...health.Log, result].slice(-MAX_LOG_ENTRIES);
  let status = health.Status;
  let streak = health.FailingStreak;
  if (result.ExitCode === 0) {
    streak = 0;
    status = 'healthy';
  } else {
    const inStartPeriod = status === 'starting' && ctx.probeStartMs - ctx.startedAtMs < ctx.startPeriodMs;
    if (!inStartPeriod) {
      streak++;
      if (streak >= ctx.retries) status = 'unhealthy';
    }
  }
  return { Status: status, FailingStreak: streak, Log: log };
}

/** dockerd's getInterval: the start interval while starting within the start period, else the interval. */
export function nextDelay(timing: HealthTiming, status: string, sinceStartMs: number): number {
  if (sinceStartMs >= timing.startPeriodMs) return timing.intervalMs;
  return status === 'starting' ? timing.startIntervalMs : timing.intervalMs;
}
