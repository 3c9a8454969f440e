import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_CAPABILITIES, DEFAULT_READONLY_PATHS, allCapabilities,
  grantableCapabilities, bindMount, buildOciSpec, currentHardLimits, defaultMaskedPaths,
  effectiveCapabilities,
} from './oci-spec';

const base = { id: 'abc123', rootfs: '/var/lib/berth/c/abc123/merged', args: ['/bin/sh'] };

describe('buildOciSpec', () => {
  test('process defaults as dockerd sets them', () => {
    const spec = buildOciSpec({ ...base, hostname: 'abc123', env: ['FOO=bar'], hardLimits: { RLIMIT_NOFILE: 20000 } });
    assert.equal(spec.ociVersion, '1.0.2-dev');
    assert.deepEqual(spec.process.args, ['/bin/sh']);
    assert.equal(spec.process.cwd, '/');
    assert.equal(spec.process.terminal, false);
    assert.deepEqual(spec.process.user, { uid: 0, gid: 0 });
    assert.deepEqual(spec.process.env, [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=abc123', 'FOO=bar',
    ]);
    assert.equal(spec.process.noNewPrivileges, false);
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    for (const set of ['bounding', 'effective', 'permitted'] as const) {
      assert.deepEqual(spec.process.capabilities[set], DEFAULT_CAPABILITIES);
    }
    assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }]);
    assert.deepEqual(spec.root, { path: base.rootfs, readonly: false });
    assert.equal(spec.hostname, 'abc123');
    assert.equal(spec.linux.cgroupsPath, '/berth/abc123');
    assert.equal(spec.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO', "Docker's default syscall filter: an allow list");
    assert.equal(buildOciSpec({ ...base, noNewPrivileges: true }).process.noNewPrivileges, true);
    const cgroupOptions = (s: ReturnType<typeof buildOciSpec>) => s.mounts.find((m) => m.type === 'cgroup')!.options!;
    assert.ok(cgroupOptions(spec).includes('ro'));
    assert.ok(!cgroupOptions(buildOciSpec({ ...base, writableCgroups: true })).includes('ro'), 'writable-cgroups');
    assert.ok(!cgroupOptions(buildOciSpec({ ...base, privileged: true })).includes('ro'));
    assert.ok(cgroupOptions(buildOciSpec({ ...base, privileged: true, writableCgroups: false })).includes('ro'), 'writable-cgroups=false wins over privileged');
  });

  test('rlimits never exceed the hard limit, and stay at dockerd’s value below it', () => {
    assert.deepEqual(buildOciSpec({ ...base, hardLimits: { RLIMIT_NOFILE: Infinity } }).process.rlimits, [
      { type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 },
    ]);
    const spec = buildOciSpec({ ...base, hardLimits: { RLIMIT_NOFILE: 4096, RLIMIT_NPROC: 100 }, ulimits: [{ name: 'nproc', soft: 50, hard: 500 }] });
    assert.deepEqual(spec.process.rlimits, [
      { type: 'RLIMIT_NOFILE', soft: 4096, hard: 4096 },
      { type: 'RLIMIT_NPROC', soft: 50, hard: 100 },
    ]);
    const limits = currentHardLimits('Limit                     Soft Limit           Hard Limit           Units     \n'
      + 'Max open files            1024                 20000                files     \n'
      + 'Max core file size        0                    unlimited            bytes     \n');
    assert.deepEqual(limits, { RLIMIT_NOFILE: 20000, RLIMIT_CORE: Infinity });
  });

  test('user, terminal and working directory', () => {
    const spec = buildOciSpec({ ...base, user: { uid: 1000, gid: 100, additionalGids: [10, 20] }, terminal: true, cwd: '/work', env: ['PATH=/bin'] });
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 100, additionalGids: [10, 20] });
    assert.equal(spec.process.terminal, true);
    assert.equal(spec.process.cwd, '/work');
    assert.deepEqual(spec.process.env, ['TERM=xterm', 'PATH=/bin']);
  });

  test('capabilities: CapAdd, CapDrop, ALL and Privileged', () => {
    assert.deepEqual(effectiveCapabilities({ capAdd: ['NET_ADMIN'], capDrop: ['chown', 'CAP_KILL'] }), [
      ...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN' && c !== 'CAP_KILL'), 'CAP_NET_ADMIN',
    ]);
    assert.deepEqual(effectiveCapabilities({ capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'] }), ['CAP_NET_BIND_SERVICE']);
    const all = grantableCapabilities();
    assert.ok(all.includes('CAP_SYS_ADMIN'));
    assert.ok(allCapabilities().length >= all.length);
    assert.deepEqual(effectiveCapabilities({ capAdd: ['ALL'], capDrop: ['SYS_ADMIN'] }), all.filter((c) => c !== 'CAP_SYS_ADMIN'));
    assert.throws(() => effectiveCapabilities({ capAdd: ['NOT_A_CAP'] }), /unknown capability/);

    const spec = buildOciSpec({ ...base, privileged: true });
    assert.deepEqual(spec.process.capabilities.bounding, all);
    assert.deepEqual(spec.linux.maskedPaths, []);
    assert.deepEqual(spec.linux.readonlyPaths, []);
    assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys')?.options, ['nosuid', 'noexec', 'nodev']);
  });

  test('default mounts, /dev/shm size and caller binds', () => {
    const spec = buildOciSpec({
      ...base,
      shmSize: 128 * 1024 * 1024,
      mounts: [
        bindMount('/data/vol', '/data/sub/vol'),
        bindMount('/c/hosts', '/etc/hosts'),
        bindMount('/c/resolv.conf', '/etc/resolv.conf', { readonly: true }),
      ],
    });
    assert.deepEqual(spec.mounts.map((m) => m.destination), [
      '/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm', '/etc/hosts', '/etc/resolv.conf', '/data/sub/vol',
    ]);
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/dev/shm'), {
      destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=134217728'],
    });
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys')?.options, ['nosuid', 'noexec', 'nodev', 'ro']);
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys/fs/cgroup')?.options, ['ro', 'nosuid', 'noexec', 'nodev']);
    assert.deepEqual(spec.mounts.find((m) => m.destination === '/etc/resolv.conf')?.options, ['rbind', 'rprivate', 'ro']);

    assert.ok(buildOciSpec(base).mounts.find((m) => m.destination === '/dev/shm')?.options?.includes('size=67108864'));
    // a bind over /dev replaces the /dev tmpfs and everything below it
    const dev = buildOciSpec({ ...base, mounts: [bindMount('/dev', '/dev')] });
    assert.deepEqual(dev.mounts.map((m) => m.destination), ['/proc', '/sys', '/sys/fs/cgroup', '/dev']);
  });

  test('namespaces and network modes', () => {
    const types = (s: ReturnType<typeof buildOciSpec>) => s.linux.namespaces.map((n) => n.type).sort();
    assert.deepEqual(types(buildOciSpec(base)), ['ipc', 'mount', 'network', 'pid', 'uts']);
    assert.deepEqual(types(buildOciSpec({ ...base, network: 'host' })), ['ipc', 'mount', 'pid', 'uts']);
    assert.deepEqual(
      buildOciSpec({ ...base, network: { path: '/run/berth/netns/abc' } }).linux.namespaces.find((n) => n.type === 'network'),
      { type: 'network', path: '/run/berth/netns/abc' },
    );
    const hostUts = buildOciSpec({ ...base, uts: 'host', hostname: 'x' });
    assert.equal(hostUts.hostname, undefined);
    assert.ok(!hostUts.linux.namespaces.some((n) => n.type === 'uts'));
  });

  test('masked and read-only paths as Docker', () => {
    const spec = buildOciSpec(base);
    assert.deepEqual(spec.linux.maskedPaths.slice(0, 12), [
      '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/sched_debug',
      '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap', '/sys/firmware',
    ]);
    assert.deepEqual(spec.linux.maskedPaths, defaultMaskedPaths());
    assert.ok(spec.linux.maskedPaths.slice(12).every((p) => /^\/sys\/devices\/system\/cpu\/cpu\d+\/thermal_throttle$/.test(p)));
    assert.deepEqual(spec.linux.readonlyPaths, [...DEFAULT_READONLY_PATHS]);
    assert.deepEqual(spec.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  test('devices: runc’s defaults and Docker’s cgroup allow list', () => {
    const spec = buildOciSpec(base);
    assert.deepEqual(spec.linux.devices, []);
    assert.deepEqual(spec.linux.resources.devices[0], { allow: false, access: 'rwm' });
    const allowed = spec.linux.resources.devices.filter((d) => d.allow).map((d) => `${d.type} ${d.major}:${d.minor}`);
    assert.deepEqual(allowed, ['c 1:5', 'c 1:3', 'c 1:9', 'c 1:8', 'c 5:0', 'c 5:1']);
    assert.deepEqual(spec.linux.resources.devices.at(-1), { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' });
  });

  test('resources', () => {
    const r = buildOciSpec({
      ...base,
      resources: { memory: 256 * 1024 * 1024, cpuShares: 512, nanoCpus: 1.5e9, cpusetCpus: '0-1', cpusetMems: '0', pidsLimit: 100 },
    }).linux.resources;
    assert.deepEqual(r.memory, { limit: 268435456, swap: 536870912 });
    assert.deepEqual(r.cpu, { shares: 512, period: 100000, quota: 150000, cpus: '0-1', mems: '0' });
    assert.deepEqual(r.pids, { limit: 100 });

    const r2 = buildOciSpec({ ...base, resources: { memory: 1000, memorySwap: -1, cpuQuota: 50000, cpuPeriod: 200000, pidsLimit: -1 } }).linux.resources;
    assert.deepEqual(r2.memory, { limit: 1000, swap: -1 });
    assert.deepEqual(r2.cpu, { quota: 50000, period: 200000 });
    assert.equal(r2.pids, undefined);
    assert.equal(buildOciSpec(base).linux.resources.memory, undefined);
    assert.throws(() => buildOciSpec({ ...base, resources: { nanoCpus: 1e9, cpuQuota: 1000 } }), /Conflicting options/);
  });

  test('sysctls: dockerd’s network defaults in a private namespace, caller values win', () => {
    const spec = buildOciSpec({ ...base, sysctls: { 'net.ipv4.ip_unprivileged_port_start': '1024', 'kernel.msgmax': '65536' } });
    assert.equal(spec.linux.sysctl?.['net.ipv4.ip_unprivileged_port_start'], '1024');
    assert.equal(spec.linux.sysctl?.['kernel.msgmax'], '65536');
    assert.equal(spec.linux.sysctl?.['net.ipv4.ping_group_range'], '0 2147483647');
    assert.equal(buildOciSpec({ ...base, network: 'host' }).linux.sysctl, undefined);
  });

  test('cgroup parent and empty command', () => {
    assert.equal(buildOciSpec({ ...base, cgroupParent: '/custom/' }).linux.cgroupsPath, '/custom/abc123');
    assert.throws(() => buildOciSpec({ ...base, args: [] }), /no command/);
  });
});
