import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSeccomp, seccompFor } from './seccomp';
import { CLONE_NAMESPACE_FLAGS } from './seccomp-default';
import { DEFAULT_CAPABILITIES, buildOciSpec } from './oci-spec';
import type { OciSeccomp } from './seccomp-profile';

const x86 = { arch: 'amd64', kernel: { major: 6, minor: 18 } };

/** The rules naming a call, in order. */
const rulesFor = (s: OciSeccomp, name: string) => (s.syscalls ?? []).filter((r) => r.names.includes(name));
const allowed = (s: OciSeccomp, name: string) => rulesFor(s, name).some((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args);

describe("Docker's default seccomp profile, specialised", () => {
  const plain = defaultSeccomp(DEFAULT_CAPABILITIES, x86);

  test('an allow list: everything else is EPERM, on x86_64 with its 32-bit and x32 ABIs', () => {
    assert.equal(plain.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(plain.defaultErrnoRet, 1);
    assert.deepEqual(plain.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    for (const c of ['read', 'write', 'execve', 'openat', 'futex', 'mkdir', 'arch_prctl', 'modify_ldt', 'chroot', 'ptrace']) assert.ok(allowed(plain, c), c);
    for (const c of ['io_uring_setup', 'io_uring_enter', 'io_uring_register', 'keyctl', 'add_key', 'request_key', 'userfaultfd', 'kexec_load',
      'mount', 'unshare', 'setns', 'bpf', 'reboot', 'init_module', 'acct', 'iopl', 'settimeofday', 'vhangup', 'mbind', 'syslog',
      'perf_event_open', 'open_by_handle_at', 'kcmp', 'set_tls', 'riscv_flush_icache']) {
      assert.deepEqual(rulesFor(plain, c), [], c);
    }
  });

  test('clone may not make namespaces, clone3 is ENOSYS, personality and socket are filtered by argument', () => {
    assert.deepEqual(rulesFor(plain, 'clone'), [{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }]);
    assert.equal(CLONE_NAMESPACE_FLAGS, 0x7e020000);
    assert.deepEqual(rulesFor(plain, 'clone3'), [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
    assert.deepEqual(rulesFor(plain, 'personality').map((r) => r.args?.[0].value), [0, 8, 0x20000, 0x20008, 0xffffffff]);
    const socket = rulesFor(plain, 'socket').map((r) => r.args?.[0]);
    assert.deepEqual(socket, [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }, { index: 0, value: 39, op: 'SCMP_CMP_EQ' }, { index: 0, value: 40, op: 'SCMP_CMP_GT' }]);
  });

  test('capabilities open their groups; CAP_SYS_ADMIN also lifts the clone mask and clone3', () => {
    const admin = defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], x86);
    for (const c of ['mount', 'unshare', 'setns', 'bpf', 'clone', 'clone3', 'perf_event_open', 'syslog']) assert.ok(allowed(admin, c), c);
    assert.equal(rulesFor(admin, 'clone3').some((r) => r.action === 'SCMP_ACT_ERRNO'), false);
    assert.equal(rulesFor(admin, 'clone').some((r) => r.args), false);
    assert.deepEqual(rulesFor(admin, 'keyctl'), []);
    assert.deepEqual(rulesFor(admin, 'io_uring_setup'), []);
    for (const [cap, call] of [['CAP_SYS_BOOT', 'reboot'], ['CAP_SYS_MODULE', 'finit_module'], ['CAP_SYS_PACCT', 'acct'], ['CAP_SYS_PTRACE', 'kcmp'],
      ['CAP_SYS_RAWIO', 'ioperm'], ['CAP_SYS_TIME', 'clock_settime'], ['CAP_SYS_TTY_CONFIG', 'vhangup'], ['CAP_SYS_NICE', 'set_mempolicy'],
      ['CAP_SYSLOG', 'syslog'], ['CAP_BPF', 'bpf'], ['CAP_PERFMON', 'perf_event_open'], ['CAP_DAC_READ_SEARCH', 'open_by_handle_at']]) {
      assert.ok(allowed(defaultSeccomp([...DEFAULT_CAPABILITIES, cap], x86), call), `${cap} opens ${call}`);
      assert.equal(allowed(plain, call), false, `${call} without ${cap}`);
    }
    assert.equal(allowed(defaultSeccomp(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT'), x86), 'chroot'), false, '--cap-drop closes a group');
  });

  test('architecture and kernel decide the rest', () => {
    const arm = defaultSeccomp(DEFAULT_CAPABILITIES, { arch: 'arm64', kernel: { major: 6, minor: 1 } });
    assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    assert.ok(allowed(arm, 'set_tls'));
    assert.equal(allowed(arm, 'arch_prctl'), false);
    const s390 = defaultSeccomp(DEFAULT_CAPABILITIES, { arch: 's390x', kernel: { major: 6, minor: 1 } });
    assert.deepEqual(rulesFor(s390, 'clone').map((r) => r.args?.[0].index), [1], 's390 passes the flags second');
    const old = defaultSeccomp(DEFAULT_CAPABILITIES, { arch: 'amd64', kernel: { major: 4, minor: 4 } });
    assert.equal(allowed(old, 'ptrace'), false, 'ptrace only from 4.8');
    assert.ok(allowed(defaultSeccomp(DEFAULT_CAPABILITIES, { arch: 'amd64', kernel: { major: 4, minor: 8 } }), 'ptrace'));
    assert.equal(defaultSeccomp(DEFAULT_CAPABILITIES, { arch: 'ppc64le', kernel: { major: 6, minor: 1 } }).architectures, undefined, 'no archMap entry');
  });

  test('SecurityOpt and privileged decide which filter a container gets', () => {
    assert.equal(seccompFor('', false, DEFAULT_CAPABILITIES)?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(seccompFor('builtin', false, DEFAULT_CAPABILITIES)?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(seccompFor('unconfined', false, DEFAULT_CAPABILITIES), undefined);
    assert.equal(seccompFor('', true, DEFAULT_CAPABILITIES), undefined, 'privileged: no default filter');
    assert.equal(seccompFor('builtin', true, DEFAULT_CAPABILITIES)?.defaultAction, 'SCMP_ACT_ERRNO', 'unless it asks for it by name');
    const custom = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
    assert.deepEqual(seccompFor(custom, false, DEFAULT_CAPABILITIES), { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
    assert.equal(seccompFor(custom, true, DEFAULT_CAPABILITIES)?.defaultAction, 'SCMP_ACT_ALLOW', 'dockerd applies a named profile even to a privileged container');
    assert.equal(seccompFor('{}', false, DEFAULT_CAPABILITIES), undefined, 'an empty profile is no filter');
    assert.throws(() => seccompFor('{nope', false, DEFAULT_CAPABILITIES), /^SeccompProfileError: Decoding seccomp profile failed: invalid character 'n' looking for beginning of object key string$/);
    const base = { id: 'c', rootfs: '/r', args: ['sh'], hardLimits: {} };
    assert.ok(buildOciSpec(base).linux.seccomp);
    assert.equal(buildOciSpec({ ...base, seccompProfile: 'unconfined' }).linux.seccomp, undefined);
    assert.equal(buildOciSpec({ ...base, privileged: true }).linux.seccomp, undefined);
    assert.ok(allowed(buildOciSpec({ ...base, capAdd: ['SYS_ADMIN'] }).linux.seccomp!, 'mount'), 'the spec passes the effective capabilities');
  });
});
