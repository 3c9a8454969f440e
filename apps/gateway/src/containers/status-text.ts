import type { container } from '@berth/proto';

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

const since = (t: string, now: number) => humanDuration(Math.max(0, now - Date.parse(t)));

/** dockerd's State.String(): the STATUS column of `docker ps`. */
export function statusText(s: container.ContainerState, now = Date.now()): string {
  switch (s.status) {
    case 'paused':
      return `Up ${since(s.startedAt, now)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${since(s.finishedAt, now)} ago`;
    case 'running': {
      const h = s.health;
      if (h) return `Up ${since(s.startedAt, now)} (${h.status === 'starting' ? 'health: starting' : h.status})`;
      return `Up ${since(s.startedAt, now)}`;
    }
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      if (!s.startedAt) return 'Created';
      if (!s.finishedAt) return '';
      return `Exited (${s.exitCode}) ${since(s.finishedAt, now)} ago`;
  }
}
