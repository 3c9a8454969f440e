/** Parsers for the /proc files stats reads besides the cgroup ones. */

/** Docker's NetworkStats of one interface. */
export interface InterfaceCounters {
  rx_bytes: bigint;
  rx_packets: bigint;
  rx_errors: bigint;
  rx_dropped: bigint;
  tx_bytes: bigint;
  tx_packets: bigint;
  tx_errors: bigint;
  tx_dropped: bigint;
}

/**
 * Devices every network namespace has that are not the container's
 * interfaces: loopback, and the fallback tunnels the kernel creates in each
 * namespace once their module is loaded. dockerd lists only the interfaces
 * it wired into the sandbox.
 */
const NOT_CONTAINER_INTERFACES = new Set(['lo', 'sit0', 'tunl0', 'ip6tnl0', 'ip6gre0', 'gre0', 'gretap0', 'erspan0', 'ip_vti0', 'ip6_vti0']);

/**
 * `/proc/<pid>/net/dev`: per interface, receive then transmit columns
 * (bytes packets errs drop fifo frame compressed multicast | bytes packets
 * errs drop fifo colls carrier compressed).
 */
export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const out = new Map<string, InterfaceCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (name === '' || f.length < 16 || NOT_CONTAINER_INTERFACES.has(name)) continue;
    const n = f.map((v) => BigInt(v));
    out.set(name, {
      rx_bytes: n[0], rx_packets: n[1], rx_errors: n[2], rx_dropped: n[3],
      tx_bytes: n[8], tx_packets: n[9], tx_errors: n[10], tx_dropped: n[11],
    });
  }
  return out;
}

/** USER_HZ: constant 100 on Linux, which is what dockerd assumes too. */
export const CLOCK_TICKS_PER_SECOND = 100n;
const NS_PER_SECOND = 1_000_000_000n;

/** Clock ticks to nanoseconds. */
export function ticksToNs(ticks: bigint): bigint {
  return (ticks * NS_PER_SECOND) / CLOCK_TICKS_PER_SECOND;
}

/**
 * The host's CPU time in nanoseconds, as dockerd computes system_cpu_usage:
 * the first seven fields of the `cpu` line of /proc/stat (user nice system
 * idle iowait irq softirq), in clock ticks.
 */
export function parseProcStatCpuNs(text: string): bigint {
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] !== 'cpu') continue;
    if (parts.length < 8) throw new Error('invalid number of cpu fields');
    let ticks = 0n;
    for (const v of parts.slice(1, 8)) {
      if (!/^\d+$/.test(v)) throw new Error(`Unable to convert value ${v} to int`);
      ticks += BigInt(v);
    }
    return ticksToNs(ticks);
  }
  throw new Error("invalid stat format. Error trying to parse the '/proc/stat' file");
}

/** A CPU list such as `0-3,8,10-11` (Cpus_allowed_list) → how many CPUs it names. */
export function countCpuList(list: string): number {
  let n = 0;
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a + 1;
  }
  return n;
}

/** `Cpus_allowed_list` of /proc/<pid>/status: the CPUs the scheduler lets the process use. */
export function parseCpusAllowed(status: string): number {
  const m = /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(status);
  if (!m) throw new Error('no Cpus_allowed_list in status');
  return countCpuList(m[1]);
}

/** MemTotal of /proc/meminfo in bytes: what dockerd reports as the limit of a container without one. */
export function parseMemTotal(meminfo: string): bigint {
  const m = /^MemTotal:\s*(\d+)\s*kB\s*$/m.exec(meminfo);
  if (!m) throw new Error('no MemTotal in meminfo');
  return BigInt(m[1]) * 1024n;
}
