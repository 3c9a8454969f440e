import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive } from '@berth/host';

/**
 * Removes what a killed image-service left half-written: temporary files and
 * staging directories named `<label>-<pid>-<random>` whose process is gone,
 * and unnamed `<dir>.tmp-<random>` extraction dirs older than `maxAgeMs`
 * (they carry no pid; replicas only keep one that long for a huge layer).
 */
export function sweepLeftovers(dir: string, maxAgeMs = 6 * 3600_000): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  const now = Date.now();
  for (const name of entries) {
    const full = path.join(dir, name);
    const withPid = /^[a-z]+-(\d+)-[0-9a-f]+$/.exec(name);
    let stale = false;
    if (withPid) stale = Number(withPid[1]) !== process.pid && !processAlive(Number(withPid[1]));
    else if (/\.tmp-[0-9a-zA-Z]+$/.test(name)) {
      try {
        stale = now - fs.lstatSync(full).mtimeMs > maxAgeMs;
      } catch {
        stale = false;
      }
    }
    if (stale) {
      fs.rmSync(full, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
