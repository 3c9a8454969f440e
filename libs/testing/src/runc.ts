import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const RUNC = ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc', '/usr/local/bin/runc'].find((p) => fs.existsSync(p));

interface RuncContainer {
  id: string;
  bundle: string;
}

/** Directories below which nothing is a runc state root: image data, container file systems. */
const SKIP = new Set(['rootfs', 'merged', 'upper', 'work', 'diff', 'layers', 'blobs', '_data', 'node_modules']);

/** runc roots inside `root`: a directory whose subdirectories hold `state.json`. */
export function runcRootsUnder(root: string, maxDepth = 5): string[] {
  const found = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > maxDepth) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isFile() && e.name === 'state.json') found.add(path.dirname(dir));
      else if (e.isDirectory() && !SKIP.has(e.name)) walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(root, 0);
  return [...found];
}

function list(runcRoot: string): RuncContainer[] {
  const r = spawnSync(RUNC!, ['--root', runcRoot, 'list', '--format', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  try {
    return (JSON.parse(r.stdout) as RuncContainer[] | null) ?? [];
  } catch {
    return [];
  }
}

/**
 * Kills and deletes every runc container of one Berth instance: all those in
 * a runc root under `root`, and those in the default root whose bundle lives
 * under `root`. Conmon going away does not stop a container; this does.
 */
export function deleteRuncContainers(root: string): string[] {
  if (!RUNC) return [];
  const deleted: string[] = [];
  const roots = [{ dir: '/run/runc', mine: (c: RuncContainer) => c.bundle.startsWith(root + '/') }];
  for (const dir of runcRootsUnder(root)) roots.push({ dir, mine: () => true });
  for (const { dir, mine } of roots) {
    if (!fs.existsSync(dir)) continue;
    for (const c of list(dir).filter(mine)) {
      const r = spawnSync(RUNC, ['--root', dir, 'delete', '--force', c.id], { stdio: 'ignore' });
      if (r.status === 0) deleted.push(c.id);
    }
  }
  return deleted;
}
