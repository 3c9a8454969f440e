import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseKernelRelease, parseSeccompProfile, seccompArchOf, specialiseProfile } from './seccomp-profile';

const target = { capabilities: ['CAP_CHOWN'], arch: 'amd64', kernel: { major: 6, minor: 18 } };
const decode = (p: unknown) => parseSeccompProfile(JSON.stringify(p));

describe('seccomp profiles as dockerd decodes them', () => {
  test('Go decoding: keys match case-insensitively, `name` is one name, nulls are absent', () => {
    const p = decode({ DefaultAction: 'SCMP_ACT_ERRNO', architectures: null, syscalls: [{ Name: 'read', action: 'SCMP_ACT_ALLOW' }, null] });
    assert.deepEqual(p, { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: [], action: '' }] });
  });

  test("dockerd's errors for what it cannot take", () => {
    assert.throws(() => parseSeccompProfile('{"defaultAction":'), /^SeccompProfileError: Decoding seccomp profile failed: unexpected end of JSON input$/);
    assert.throws(() => parseSeccompProfile('x'), /^SeccompProfileError: Decoding seccomp profile failed: invalid character 'x' looking for beginning of value$/);
    assert.throws(() => parseSeccompProfile('[]'), /Decoding seccomp profile failed: json: cannot unmarshal array into Go value of type seccomp.Seccomp/);
    assert.throws(() => decode({ defaultAction: 1 }), /Decoding seccomp profile failed: json: cannot unmarshal number into Go struct field Seccomp.defaultAction of type string/);
    assert.throws(() => decode({ syscalls: [{ names: 'read' }] }), /cannot unmarshal string into Go struct field Syscall.syscalls.names of type \[\]string/);
    assert.throws(() => decode({ syscalls: [{ names: ['x'], includes: { minKernel: '4' } }] }), /Decoding seccomp profile failed: invalid kernel version: "4", expected "<kernel>.<major>"/);
    assert.throws(() => decode({ syscalls: [{ name: 'a', names: ['b'] }] }), /^SeccompProfileError: both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'$/);
    assert.throws(() => decode({ syscalls: [{ names: ['x'], args: [{ index: 0, value: 2 ** 60, op: 'SCMP_CMP_EQ' }] }] }), /beyond the 2\^53/);
    const both = decode({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] });
    assert.throws(() => specialiseProfile(both, target), /^SeccompProfileError: both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'$/);
  });

  test('specialising a custom profile: includes must all hold, one excludes is enough to drop a rule', () => {
    const p = decode({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [
        { names: ['a'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_CHOWN'], arches: ['amd64'], minKernel: '5.10' } },
        { names: ['b'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] } },
        { names: ['c'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '7.0' } },
        { names: ['d'], action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN', 'CAP_CHOWN'] } },
        { names: ['e'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['arm64'] }, args: [{ index: 1, value: 2, valueTwo: 3, op: 'SCMP_CMP_MASKED_EQ' }], comment: 'kept' },
      ],
    });
    assert.deepEqual(specialiseProfile(p, target), {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [
        { names: ['a'], action: 'SCMP_ACT_ALLOW' },
        { names: ['e'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 2, valueTwo: 3, op: 'SCMP_CMP_MASKED_EQ' }] },
      ],
    });
  });

  test('host facts: Node architectures and kernel releases', () => {
    assert.equal(seccompArchOf('x64'), 'amd64');
    assert.equal(seccompArchOf('arm64'), 'arm64');
    assert.equal(seccompArchOf('ia32'), 'x86');
    assert.deepEqual(parseKernelRelease('6.18.0-1-amd64'), { major: 6, minor: 18 });
    assert.deepEqual(parseKernelRelease('3.12-1-amd64'), { major: 3, minor: 12 });
  });
});
