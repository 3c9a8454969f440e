import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { HostConfig } from '@berth/engine-api';
import { unimplementedOption, unimplementedUpdate } from './unimplemented-options';

test('the zero values the Docker CLI always sends ask for nothing', () => {
  const cli = {
    PidMode: '', IpcMode: '', CgroupnsMode: '', Cgroup: '', CgroupParent: '', BlkioWeight: 0, BlkioDeviceReadBps: [], CpuRealtimePeriod: 0,
    KernelMemory: 0, MemorySwappiness: null, DeviceRequests: null, PortBindings: {}, PublishAllPorts: false, Links: null, Runtime: '', Isolation: '',
  } as unknown as HostConfig;
  assert.equal(unimplementedOption(cli), undefined);
  assert.equal(unimplementedOption({ IpcMode: 'private', CgroupnsMode: 'host', Runtime: 'runc', MemorySwappiness: -1 } as HostConfig), undefined);
});

test('an option Berth does not implement is refused, naming its flag', () => {
  assert.equal(unimplementedOption({ PidMode: 'host' } as HostConfig), '--pid (HostConfig.PidMode) is not supported by Berth yet');
  assert.match(unimplementedOption({ IpcMode: 'host' } as HostConfig)!, /^--ipc /);
  assert.match(unimplementedOption({ BlkioWeight: 300 } as HostConfig)!, /^--blkio-weight /);
  assert.match(unimplementedOption({ MemorySwappiness: 10 } as HostConfig)!, /^--memory-swappiness /);
  // Published ports and links are Berth's since issue 10.
  assert.equal(unimplementedOption({ PortBindings: { '80/tcp': [{ HostPort: '8080' }] }, PublishAllPorts: true, Links: ['a:b'] } as unknown as HostConfig), undefined);
  assert.equal(unimplementedOption({ Runtime: 'kata' } as HostConfig), 'unknown or invalid runtime name: kata');
  assert.match(unimplementedUpdate({ BlkioWeight: 500 })!, /^--blkio-weight /);
  assert.equal(unimplementedUpdate({ Memory: 1 << 24, BlkioWeight: 0 }), undefined);
});
