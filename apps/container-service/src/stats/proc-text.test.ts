import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countCpuList, parseCpusAllowed, parseMemTotal, parseNetDev, parseProcStatCpuNs } from './proc-text';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    1376      16    1    2    0     0          0         0      656       8    3    4    0     0       0          0
 tunl0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth1: 9007199254740993 5 0 0 0 0 0 0 7 1 0 0 0 0 0 0
`;

test('/proc/net/dev: receive and transmit counters per interface, loopback and fallback tunnels left out', () => {
  const m = parseNetDev(NET_DEV);
  assert.deepEqual([...m.keys()], ['eth0', 'eth1']);
  assert.deepEqual(m.get('eth0'), {
    rx_bytes: 1376n, rx_packets: 16n, rx_errors: 1n, rx_dropped: 2n,
    tx_bytes: 656n, tx_packets: 8n, tx_errors: 3n, tx_dropped: 4n,
  });
  assert.equal(m.get('eth1')!.rx_bytes, 9007199254740993n);
});

test('/proc/stat: the first seven cpu fields in ticks, as nanoseconds', () => {
  const text = 'cpu  374810 0 160086 1634003 12668 0 6499 100 0 0\ncpu0 181152 0 75433 832703 1739 0 3020 0 0 0\n';
  // 374810+160086+1634003+12668+6499 = 2188066 ticks; steal (100) is not counted
  assert.equal(parseProcStatCpuNs(text), 2188066n * 10_000_000n);
  assert.throws(() => parseProcStatCpuNs('intr 1 2\n'), /invalid stat format/);
  assert.throws(() => parseProcStatCpuNs('cpu 1 2 3\n'), /invalid number of cpu fields/);
});

test('online CPUs from Cpus_allowed_list', () => {
  assert.equal(countCpuList('0-1'), 2);
  assert.equal(countCpuList('0-3,8,10-11'), 7);
  assert.equal(parseCpusAllowed('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n'), 2);
});

test('MemTotal in bytes', () => {
  assert.equal(parseMemTotal('MemTotal:       24683620 kB\nMemFree: 1 kB\n'), 25276026880n);
});
