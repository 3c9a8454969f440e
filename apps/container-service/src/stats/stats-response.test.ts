import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJson } from './go-json';
import { statsJson, StatsSample, ZERO_TIME } from './stats-response';

test('goJson writes bigints exactly and leaves out undefined members', () => {
  assert.equal(goJson({ a: 9223372036854771712n, b: undefined, c: [1n, 'x'], d: null, e: new Map([['k', 2n]]) }), '{"a":9223372036854771712,"c":[1,"x"],"d":null,"e":{"k":2}}');
});

test('a stopped container: dockerd 20.10\'s empty StatsJSON, byte for byte', () => {
  const json = statsJson('s1', '1b07420d80f1c2e7e186189b6d542e6c0a81c0b8bd41d9312cefbc6fb7d70682', undefined, undefined);
  // captured from dockerd 20.10.24 (GET /containers/s1/stats?stream=false on a created container)
  assert.equal(json, '{"read":"0001-01-01T00:00:00Z","preread":"0001-01-01T00:00:00Z","pids_stats":{},"blkio_stats":{"io_service_bytes_recursive":null,"io_serviced_recursive":null,"io_queue_recursive":null,"io_service_time_recursive":null,"io_wait_time_recursive":null,"io_merged_recursive":null,"io_time_recursive":null,"sectors_recursive":null},"num_procs":0,"storage_stats":{},"cpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"precpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"memory_stats":{},"name":"/s1","id":"1b07420d80f1c2e7e186189b6d542e6c0a81c0b8bd41d9312cefbc6fb7d70682"}');
});

test('a running sample: field order, omitempty, sorted memory keys and networks', () => {
  const cpu = { total: 64487019n, percpu: [31285979n, 33201040n], kernel: 20000000n, user: 30000000n, periods: 0n, throttledPeriods: 0n, throttledTime: 0n, system: 21278710000000n, onlineCpus: 2 };
  const sample: StatsSample = {
    read: '2026-11-29T03:12:02.042987976Z',
    pids: { current: 1n, limit: 0n },
    blkio: {
      io_service_bytes_recursive: [{ major: 8n, minor: 0n, op: 'Read', value: 4096n }], io_serviced_recursive: [], io_queue_recursive: [],
      io_service_time_recursive: [], io_wait_time_recursive: [], io_merged_recursive: [], io_time_recursive: [], sectors_recursive: [],
    },
    cpu,
    memory: { usage: 606208n, maxUsage: 3964928n, failcnt: 0n, limit: 67108864n, stats: new Map([['rss', 49152n], ['cache', 0n]]) },
    networks: new Map([['eth1', { rx_bytes: 1n, rx_packets: 1n, rx_errors: 0n, rx_dropped: 0n, tx_bytes: 0n, tx_packets: 0n, tx_errors: 0n, tx_dropped: 0n }],
      ['eth0', { rx_bytes: 1096n, rx_packets: 12n, rx_errors: 0n, rx_dropped: 0n, tx_bytes: 0n, tx_packets: 0n, tx_errors: 0n, tx_dropped: 0n }]]),
  };
  const json = statsJson('c1', 'abc', sample, { read: '2026-11-29T03:12:01.034744874Z', cpu: { ...cpu, system: 21276710000000n } });
  assert.equal(json, '{"read":"2026-11-29T03:12:02.042987976Z","preread":"2026-11-29T03:12:01.034744874Z","pids_stats":{"current":1},'
    + '"blkio_stats":{"io_service_bytes_recursive":[{"major":8,"minor":0,"op":"Read","value":4096}],"io_serviced_recursive":[],"io_queue_recursive":[],"io_service_time_recursive":[],"io_wait_time_recursive":[],"io_merged_recursive":[],"io_time_recursive":[],"sectors_recursive":[]},'
    + '"num_procs":0,"storage_stats":{},'
    + '"cpu_stats":{"cpu_usage":{"total_usage":64487019,"percpu_usage":[31285979,33201040],"usage_in_kernelmode":20000000,"usage_in_usermode":30000000},"system_cpu_usage":21278710000000,"online_cpus":2,"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},'
    + '"precpu_stats":{"cpu_usage":{"total_usage":64487019,"percpu_usage":[31285979,33201040],"usage_in_kernelmode":20000000,"usage_in_usermode":30000000},"system_cpu_usage":21276710000000,"online_cpus":2,"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},'
    + '"memory_stats":{"usage":606208,"max_usage":3964928,"stats":{"cache":0,"rss":49152},"limit":67108864},'
    + '"name":"/c1","id":"abc",'
    + '"networks":{"eth0":{"rx_bytes":1096,"rx_packets":12,"rx_errors":0,"rx_dropped":0,"tx_bytes":0,"tx_packets":0,"tx_errors":0,"tx_dropped":0},"eth1":{"rx_bytes":1,"rx_packets":1,"rx_errors":0,"rx_dropped":0,"tx_bytes":0,"tx_packets":0,"tx_errors":0,"tx_dropped":0}}}');
  const noNet = JSON.parse(statsJson('c1', 'abc', { ...sample, networks: new Map() }, undefined));
  assert.equal('networks' in noNet, false, 'no interfaces: no networks member');
  assert.equal(noNet.preread, ZERO_TIME);
});
