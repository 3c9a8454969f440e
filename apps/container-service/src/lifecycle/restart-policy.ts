export interface RestartPolicy {
  Name?: string;
  MaximumRetryCount?: number;
}

const NAMES = ['', 'no', 'always', 'unless-stopped', 'on-failure'];

/** dockerd's validation of HostConfig.RestartPolicy (and its AutoRemove conflict). */
export function validateRestartPolicy(p: RestartPolicy | null | undefined, autoRemove: boolean): string | undefined {
  if (!p) return undefined;
  const name = p.Name ?? '';
  if (!NAMES.includes(name)) return `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;
  const max = p.MaximumRetryCount ?? 0;
  if (max < 0) return 'invalid restart policy: maximum retry count cannot be negative';
  if (max > 0 && name !== 'on-failure') return `invalid restart policy: maximum retry count can only be used with 'on-failure'`;
  if (autoRemove && name !== '' && name !== 'no') return `can't create 'AutoRemove' container with restart policy`;
  return undefined;
}

/** The restart manager's decision after an exit. */
export function shouldRestart(p: RestartPolicy | null | undefined, exitCode: number, restartCount: number, exitOnNext: boolean, manuallyStopped: boolean): boolean {
  if (exitOnNext || !p) return false;
  switch (p.Name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !manuallyStopped;
    case 'on-failure': {
      const max = p.MaximumRetryCount ?? 0;
      return exitCode !== 0 && (max === 0 || restartCount < max);
    }
    default:
      return false;
  }
}

/** dockerd's backoff: 100 ms doubling to a minute, reset after 10 s of running. */
export function nextBackoff(previousMs: number, ranMs: number): number {
  if (ranMs >= 10_000 || previousMs === 0) return 100;
  return Math.min(previousMs * 2, 60_000);
}
