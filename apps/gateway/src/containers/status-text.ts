import type { ContainerState } from '@berth/engine-api';

/** Go's units.HumanDuration, which `docker ps` shows ("3 seconds", "About a minute"). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

const since = (t: string | undefined, now: number) => humanDuration(Math.max(0, now - Date.parse(t ?? '')));

/** dockerd's State.String(): the STATUS column of `docker ps`. */
export function statusText(s: ContainerState, now = Date.now()): string {
  switch (s.Status) {
    case 'paused':
      return `Up ${since(s.StartedAt, now)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.ExitCode ?? 0}) ${since(s.FinishedAt, now)} ago`;
    case 'running': {
      const h = s.Health;
      if (h) return `Up ${since(s.StartedAt, now)} (${h.Status === 'starting' ? 'health: starting' : h.Status})`;
      return `Up ${since(s.StartedAt, now)}`;
    }
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      if (!s.StartedAt) return 'Created';
      if (!s.FinishedAt) return '';
      return `Exited (${s.ExitCode ?? 0}) ${since(s.FinishedAt, now)} ago`;
  }
}
