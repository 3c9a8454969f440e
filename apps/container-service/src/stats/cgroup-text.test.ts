import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBlkio, parseKeyValues, parseProcCgroup, parseSingleValue, parseValueList } from './cgroup-text';

const MEMORY_STAT = `cache 0
rss 49152
rss_huge 0
shmem 0
mapped_file 0
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 134217728
total_rss 49152
total_inactive_file 8192
`;

test('memory.stat keys, values beyond 2^53 kept exact', () => {
  const m = parseKeyValues(MEMORY_STAT);
  assert.equal(m.get('rss'), 49152n);
  assert.equal(m.get('hierarchical_memory_limit'), 9223372036854771712n);
  assert.equal(m.get('total_inactive_file'), 8192n);
  assert.equal(m.size, 9);
});

test('cpuacct.stat and cpu.stat are key/value files too', () => {
  assert.deepEqual([...parseKeyValues('user 373072\nsystem 166214\n')], [['user', 373072n], ['system', 166214n]]);
  const t = parseKeyValues('nr_periods 12\nnr_throttled 3\nthrottled_time 4500000\nnr_bursts 0\nburst_time 0\n');
  assert.equal(t.get('nr_throttled'), 3n);
  assert.equal(t.get('throttled_time'), 4500000n);
});

test('single values; pids.max "max" is no limit (0)', () => {
  assert.equal(parseSingleValue('606208\n'), 606208n);
  assert.equal(parseSingleValue('max\n'), 0n);
  assert.equal(parseSingleValue('9223372036854771712\n'), 9223372036854771712n);
  assert.throws(() => parseSingleValue('abc'), /invalid cgroup value/);
});

test('cpuacct.usage_percpu', () => {
  assert.deepEqual(parseValueList('31285979 33201040 \n'), [31285979n, 33201040n]);
  assert.deepEqual(parseValueList('\n'), []);
});

test('blkio throttle files: one entry per device and op, the Total line skipped', () => {
  const text = '8:0 Read 4096\n8:0 Write 1048576\n8:0 Sync 1052672\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 1052672\nTotal 1052672\n';
  const e = parseBlkio(text);
  assert.equal(e.length, 6);
  assert.deepEqual(e[0], { major: 8n, minor: 0n, op: 'Read', value: 4096n });
  assert.deepEqual(e[5], { major: 8n, minor: 0n, op: 'Total', value: 1052672n });
  assert.deepEqual(parseBlkio('Total 0\n'), []);
  assert.deepEqual(parseBlkio('253:1 77\n'), [{ major: 253n, minor: 1n, op: '', value: 77n }]);
  assert.throws(() => parseBlkio('bogus\n'), /invalid blkio line/);
});

test('/proc/<pid>/cgroup: joint controllers split, named and unified hierarchies left out', () => {
  const m = parseProcCgroup('12:pids:/berth/abc\n4:cpu,cpuacct:/berth/abc\n9:name=systemd:/x\n0::/y\n3:memory:/berth/abc\n');
  assert.equal(m.get('cpu'), '/berth/abc');
  assert.equal(m.get('cpuacct'), '/berth/abc');
  assert.equal(m.get('memory'), '/berth/abc');
  assert.equal(m.get('pids'), '/berth/abc');
  assert.equal(m.has('name=systemd'), false);
  assert.equal(m.size, 4);
});
