import * as fs from 'node:fs/promises';
import type { ContainerRecord } from '../containers/container-record';
import { InterfaceCounters, parseNetDev } from './proc-text';

/**
 * Whether the container's network namespace is one dockerd reports: not
 * with networking disabled, and not the host's (directly or through a
 * chain of `container:<other>` modes). `lookup` finds another container by
 * reference, undefined when it is gone.
 */
export function hasOwnNetwork(record: ContainerRecord, lookup: (ref: string) => ContainerRecord | undefined): boolean {
  let current: ContainerRecord | undefined = record;
  for (let depth = 0; current && depth < 16; depth++) {
    if (current.Config.NetworkDisabled) return false;
    const mode = String(current.HostConfig.NetworkMode ?? 'bridge');
    if (mode === 'host') return false;
    if (!mode.startsWith('container:')) return true;
    current = lookup(mode.slice('container:'.length));
  }
  return false;
}

/** Interface counters of the namespace `pid` lives in; undefined when the process is gone. */
export async function readNetworkCounters(pid: number, procRoot = '/proc'): Promise<Map<string, InterfaceCounters> | undefined> {
  try {
    return parseNetDev(await fs.readFile(`${procRoot}/${pid}/net/dev`, 'utf8'));
  } catch {
    return undefined;
  }
}
