import type { HostConfig } from '@berth/engine-api';

/**
 * HostConfig options Berth does not implement yet. A client that sets one
 * is refused at create, clearly, rather than given a container that quietly
 * runs without it (a `--pid host` container in its own pid namespace, a
 * `--blkio-weight` with no weight). The Docker CLI sends every field with
 * its zero value, so only a value that asks for something counts.
 */
interface Option {
  field: string;
  flag: string;
  /** True when the value asks for something Berth does not do. */
  asks(value: unknown): boolean;
}

const nonEmptyString = (v: unknown): boolean => typeof v === 'string' && v !== '';
const nonZero = (v: unknown): boolean => typeof v === 'number' && v !== 0;
const nonEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
const nonEmptyMap = (v: unknown): boolean => typeof v === 'object' && v !== null && Object.keys(v).length > 0;
const notIn = (...allowed: string[]) => (v: unknown): boolean => nonEmptyString(v) && !allowed.includes(v as string);

const OPTIONS: Option[] = [
  { field: 'PidMode', flag: '--pid', asks: nonEmptyString },
  { field: 'IpcMode', flag: '--ipc', asks: notIn('private', 'shareable') },
  { field: 'UsernsMode', flag: '--userns', asks: nonEmptyString },
  { field: 'CgroupnsMode', flag: '--cgroupns', asks: notIn('host') },
  { field: 'CgroupParent', flag: '--cgroup-parent', asks: nonEmptyString },
  { field: 'Cgroup', flag: 'Cgroup', asks: nonEmptyString },
  { field: 'Isolation', flag: '--isolation', asks: notIn('default') },
  { field: 'VolumeDriver', flag: '--volume-driver', asks: notIn('local') },
  { field: 'BlkioWeight', flag: '--blkio-weight', asks: nonZero },
  { field: 'BlkioWeightDevice', flag: '--blkio-weight-device', asks: nonEmptyList },
  { field: 'BlkioDeviceReadBps', flag: '--device-read-bps', asks: nonEmptyList },
  { field: 'BlkioDeviceWriteBps', flag: '--device-write-bps', asks: nonEmptyList },
  { field: 'BlkioDeviceReadIOps', flag: '--device-read-iops', asks: nonEmptyList },
  { field: 'BlkioDeviceWriteIOps', flag: '--device-write-iops', asks: nonEmptyList },
  { field: 'CpuRealtimePeriod', flag: '--cpu-rt-period', asks: nonZero },
  { field: 'CpuRealtimeRuntime', flag: '--cpu-rt-runtime', asks: nonZero },
  { field: 'CpuCount', flag: '--cpu-count', asks: nonZero },
  { field: 'CpuPercent', flag: '--cpu-percent', asks: nonZero },
  { field: 'IOMaximumIOps', flag: '--io-maxiops', asks: nonZero },
  { field: 'IOMaximumBandwidth', flag: '--io-maxbandwidth', asks: nonZero },
  { field: 'KernelMemory', flag: '--kernel-memory', asks: nonZero },
  { field: 'KernelMemoryTCP', flag: 'KernelMemoryTCP', asks: nonZero },
  { field: 'MemorySwappiness', flag: '--memory-swappiness', asks: (v) => typeof v === 'number' && v !== -1 },
  { field: 'DeviceCgroupRules', flag: '--device-cgroup-rule', asks: nonEmptyList },
  { field: 'DeviceRequests', flag: '--gpus', asks: nonEmptyList },
  { field: 'StorageOpt', flag: '--storage-opt', asks: nonEmptyMap },
];

/** The refusal for the first option Berth does not implement, or undefined. */
export function unimplementedOption(hostConfig: HostConfig): string | undefined {
  const record = hostConfig as Record<string, unknown>;
  if (nonEmptyString(record.Runtime) && record.Runtime !== 'runc') return `unknown or invalid runtime name: ${String(record.Runtime)}`;
  for (const o of OPTIONS) {
    if (o.asks(record[o.field])) return `${o.flag} (HostConfig.${o.field}) is not supported by Berth yet`;
  }
  return undefined;
}

/** The same check for `docker update`'s body, which carries a few of these. */
export function unimplementedUpdate(update: Record<string, unknown>): string | undefined {
  for (const o of OPTIONS) {
    if (o.field in update && o.asks(update[o.field])) return `${o.flag} (${o.field}) is not supported by Berth yet`;
  }
  return undefined;
}
