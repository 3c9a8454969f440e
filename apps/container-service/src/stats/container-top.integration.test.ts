import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RpcError } from '@berth/rpc';
import type { ContainerRecord } from '../containers/container-record';
import { CgroupSandbox } from './cgroup-sandbox';
import { ContainerTop, cgroupPids } from './container-top';

const ID = 'b'.repeat(64);
const sandbox = new CgroupSandbox();
let pid: number;
let status: ContainerRecord['State']['Status'] = 'running';

const lookup = {
  resolve(ref: string): { record: ContainerRecord } {
    if (ref !== ID && ref !== 'c1') throw RpcError.notFound(`No such container: ${ref}`);
    return {
      record: {
        Id: ID, Name: 'c1', Created: '', Path: 'sleep', Args: [], ImageName: 'busybox', Image: 'sha256:x',
        Config: {}, HostConfig: {}, NetworkingConfig: {}, Platform: 'linux', State: { Status: status, Pid: status === 'running' ? pid : 0 },
      },
    };
  },
};
const fallback = (id: string) => (controller: string) => path.join('/sys/fs/cgroup', controller, 'berth', id);
const listed: string[] = [];
const top = new ContainerTop(lookup, fallback, (r) => listed.push(r.Id));

before(async () => {
  pid = await sandbox.start(['sleep', '301']);
});

after(async () => {
  await sandbox.remove();
});

test('the cgroup\'s processes', async () => {
  assert.deepEqual(await cgroupPids(sandbox.dir('devices')), [pid]);
  assert.deepEqual(await cgroupPids('/nonexistent'), []);
});

test('docker top: ps -ef rows of the container only', async () => {
  const r = await top.top('c1', '');
  assert.deepEqual(r.titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.equal(r.processes.length, 1);
  assert.equal(r.processes[0][1], String(pid));
  assert.equal(r.processes[0][7], 'sleep 301');
  assert.deepEqual(listed, [ID], 'a successful top is reported (dockerd\'s "top" event)');
});

test('docker top -o pid,comm and aux (which refuses -q: filtered from all processes)', async () => {
  assert.deepEqual(await top.top(ID, '-o pid,comm'), { titles: ['PID', 'COMMAND'], processes: [[String(pid), 'sleep']] });
  const aux = await top.top(ID, 'aux');
  assert.equal(aux.titles[1], 'PID');
  assert.deepEqual(aux.processes.map((p) => [p[1], p[10]]), [[String(pid), 'sleep 301']]);
});

test('errors as dockerd words them', async () => {
  await assert.rejects(top.top(ID, '-o bogus'), (e: RpcError) => e.code === 13 && e.message === 'ps: error: unknown user-defined format specifier "bogus"');
  await assert.rejects(top.top(ID, '-o user=PID'), /specifying "user=PID" is not allowed/);
  await assert.rejects(top.top('nope', ''), /No such container: nope/);
  await assert.rejects(new ContainerTop(lookup, fallback, undefined, 'no-such-ps-binary').top(ID, ''), /ps: exec: "no-such-ps-binary": executable file not found in \$PATH/);
  status = 'exited';
  try {
    await assert.rejects(top.top(ID, ''), (e: RpcError) => e.code === 9 && e.message === `Container ${ID} is not running`);
  } finally {
    status = 'running';
  }
});
