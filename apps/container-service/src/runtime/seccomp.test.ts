import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSeccomp, seccompChoice } from './seccomp';
import { DEFAULT_CAPABILITIES, buildOciSpec } from './oci-spec';

describe('seccomp', () => {
  test('the default filter refuses what Docker refuses and lets capabilities open their calls', () => {
    const plain = defaultSeccomp(DEFAULT_CAPABILITIES);
    const denied = plain.syscalls[0].names;
    for (const c of ['keyctl', 'add_key', 'kexec_load', 'mount', 'unshare', 'setns', 'bpf', 'reboot', 'init_module']) assert.ok(denied.includes(c), c);
    assert.ok(!denied.includes('chroot'), 'CAP_SYS_CHROOT is a default capability');
    assert.deepEqual(plain.syscalls[1], { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    const admin = defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']).syscalls[0].names;
    assert.ok(!admin.includes('mount') && !admin.includes('unshare'));
    assert.ok(admin.includes('keyctl'));
  });

  test('SecurityOpt and privileged decide whether there is a filter', () => {
    assert.equal(seccompChoice(undefined), 'default');
    assert.equal(seccompChoice(['seccomp=unconfined']), 'unconfined');
    assert.equal(seccompChoice(['seccomp:unconfined']), 'unconfined');
    assert.equal(seccompChoice(['no-new-privileges']), 'default');
    assert.throws(() => seccompChoice(['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']), /not supported yet/);
    const base = { id: 'c', rootfs: '/r', args: ['sh'], hardLimits: {} };
    assert.ok(buildOciSpec(base).linux.seccomp);
    assert.equal(buildOciSpec({ ...base, seccomp: 'unconfined' }).linux.seccomp, undefined);
    assert.equal(buildOciSpec({ ...base, privileged: true }).linux.seccomp, undefined);
  });
});
