import * as fs from 'node:fs';
import * as path from 'node:path';

import { parseMountInfo } from '@berth/host';

import type { Berth, BerthComponent } from './berth';

/**
 * What the security suite checks after its attacks: that no service grew
 * by more than a bound (a memory DoS that stuck), and that nothing appeared
 * on the host outside Berth's own roots (an escape that wrote a file,
 * made a directory or left a mount).
 */
export interface HostWatch {
  /** Resident set size (bytes) of each component when the watch started. */
  readonly rssBefore: Partial<Record<BerthComponent, number>>;
  /** What changed since the watch started. */
  changes(): HostChanges;
  /**
   * What changed, with each service's RSS growth taken once V8 has had its
   * chance to give memory back: V8 returns it only at collections that an
   * idle process may not run for minutes, so a service that did much work a
   * moment ago reads tens of MB high although it holds nothing (seen here:
   * container-service at 127 MB, then 88 MB, over 80 more of the same small
   * docker cp calls). Keeps
   * the services as busy as a CLI user would (info and list requests) for
   * up to `timeoutMs` until every growth is at most `bound`, and answers the
   * lowest growth seen of each. Memory a service really holds never drops.
   */
  settledChanges(bound?: number, timeoutMs?: number): Promise<HostChanges>;
}

export interface HostChanges {
  /** Growth of each component's RSS in bytes (a component no longer running is left out). */
  rssGrowth: Partial<Record<BerthComponent, number>>;
  /** Entries that appeared in the watched host directories, outside Berth's roots. */
  newEntries: string[];
  /** Mount points that appeared outside Berth's roots. */
  newMounts: string[];
}

/** Host directories an escape would write to; listed one level deep. */
export const WATCHED_HOST_DIRS = ['/', '/tmp', '/var/tmp', '/root', '/etc', '/run', '/var/lib', '/dev/shm', '/home', '/srv', '/opt', '/mnt', '/usr/local'];

const SERVICES: BerthComponent[] = ['gateway', 'container', 'image', 'network', 'volume'];

export function rssOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function serviceRss(berth: Berth): Partial<Record<BerthComponent, number>> {
  const pids = berth.pids();
  const out: Partial<Record<BerthComponent, number>> = {};
  for (const name of SERVICES) {
    const pid = pids[name];
    const rss = pid === undefined ? undefined : rssOf(pid);
    if (rss !== undefined) out[name] = rss;
  }
  return out;
}

function under(p: string, roots: string[]): boolean {
  return roots.some((r) => p === r || p.startsWith(`${r}/`));
}

function listEntries(ignore: (p: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const dir of WATCHED_HOST_DIRS) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const p = path.join(dir, n);
      if (!ignore(p)) out.add(p);
    }
  }
  return out;
}

function listMounts(ignore: (p: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const m of parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))) {
    if (!ignore(m.mountPoint)) out.add(m.mountPoint);
  }
  return out;
}

/**
 * Names that other work on a shared machine leaves in /tmp while a test
 * runs (parallel runs' logs and worktrees, tool and compile caches): a test
 * may let these through; anything else new in /tmp still counts.
 */
export function sharedScratch(p: string): boolean {
  return /^\/tmp\/([^/]+\.(log|txt|md|json|js|mjs|out|err)|wt-[^/]*|sec-[^/]*|bash_tool_[^/]*|node-compile-cache|tsx-[^/]*|v8-compile-cache-[^/]*)$/.test(p);
}

/**
 * One round of what a CLI user's session asks (info and lists) and a short
 * pause: the light traffic under which V8 collects and gives memory back.
 */
export async function cliTraffic(berth: Berth): Promise<void> {
  await Promise.all(['/info', '/containers/json?all=1', '/images/json', '/volumes', '/_ping']
    .map((p) => berth.request('GET', p).catch(() => undefined)));
  await new Promise((r) => setTimeout(r, 200));
}

export interface HostWatchOptions {
  /** Further paths that may appear (the test's own temp files). */
  allow?: (p: string) => boolean;
}

/**
 * Starts watching: call once Berth is up and before the attacks, then
 * `changes()` at the end. Berth's temp roots (`/tmp/berth-*`, this
 * instance's and any other test's) are never counted.
 */
export function watchHost(berth: Berth, opts: HostWatchOptions = {}): HostWatch {
  const roots = [berth.root, berth.dataRoot, berth.runRoot];
  const ignore = (p: string): boolean =>
    under(p, roots) || /^\/tmp\/berth-[^/]+/.test(p) || (opts.allow?.(p) ?? false);
  const entries = listEntries(ignore);
  const mounts = listMounts(ignore);
  const rssBefore = serviceRss(berth);
  const watch: HostWatch = {
    rssBefore,
    async settledChanges(bound = 50 * 1024 * 1024, timeoutMs = 90_000): Promise<HostChanges> {
      const started = Date.now();
      const lowest = watch.changes();
      const over = (): boolean => Object.values(lowest.rssGrowth).some((g) => (g ?? 0) > bound);
      while (over() && Date.now() - started < timeoutMs) {
        await cliTraffic(berth);
        const now = watch.changes().rssGrowth;
        for (const name of SERVICES) {
          const g = now[name];
          if (g !== undefined && (lowest.rssGrowth[name] === undefined || g < lowest.rssGrowth[name]!)) lowest.rssGrowth[name] = g;
        }
      }
      const last = watch.changes();
      return { ...last, rssGrowth: lowest.rssGrowth };
    },
    changes(): HostChanges {
      const now = serviceRss(berth);
      const rssGrowth: Partial<Record<BerthComponent, number>> = {};
      for (const name of SERVICES) {
        const a = rssBefore[name];
        const b = now[name];
        if (a !== undefined && b !== undefined) rssGrowth[name] = b - a;
      }
      return {
        rssGrowth,
        newEntries: [...listEntries(ignore)].filter((p) => !entries.has(p)),
        newMounts: [...listMounts(ignore)].filter((p) => !mounts.has(p)),
      };
    },
  };
  return watch;
}
