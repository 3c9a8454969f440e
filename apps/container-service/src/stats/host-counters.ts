import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseCpusAllowed, parseMemTotal, parseProcStatCpuNs } from './proc-text';

/** Host-wide figures every stats sample carries. `procRoot` is /proc except in tests. */
export class HostCounters {
  private memTotal?: bigint;

  constructor(private readonly procRoot = '/proc') {}

  /** system_cpu_usage: the host's total CPU time in ns. */
  async systemCpuNs(): Promise<bigint> {
    return parseProcStatCpuNs(await fs.readFile(path.join(this.procRoot, 'stat'), 'utf8'));
  }

  /** online_cpus: dockerd counts the CPUs in its own scheduler affinity mask. */
  async onlineCpus(): Promise<number> {
    return parseCpusAllowed(await fs.readFile(path.join(this.procRoot, 'self', 'status'), 'utf8'));
  }

  /** The machine's memory in bytes: reported as the limit of a container that has none. Read once. */
  async machineMemory(): Promise<bigint> {
    this.memTotal ??= parseMemTotal(await fs.readFile(path.join(this.procRoot, 'meminfo'), 'utf8'));
    return this.memTotal;
  }
}
