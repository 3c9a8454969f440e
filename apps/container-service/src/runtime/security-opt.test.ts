import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSecurityOpt } from './security-opt';

describe('--security-opt as dockerd reads it', () => {
  test('no-new-privileges in every spelling dockerd takes', () => {
    assert.equal(parseSecurityOpt(undefined).noNewPrivileges, false);
    assert.equal(parseSecurityOpt(null).noNewPrivileges, false);
    for (const yes of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true', 'no-new-privileges=1', 'no-new-privileges=T', 'no-new-privileges=TRUE']) {
      assert.equal(parseSecurityOpt([yes]).noNewPrivileges, true, yes);
    }
    for (const no of ['no-new-privileges=false', 'no-new-privileges:false', 'no-new-privileges=0', 'no-new-privileges=F']) {
      assert.equal(parseSecurityOpt([no]).noNewPrivileges, false, no);
    }
    assert.equal(parseSecurityOpt(['no-new-privileges', 'no-new-privileges=false']).noNewPrivileges, false, 'the last one wins');
    assert.throws(() => parseSecurityOpt(['no-new-privileges=yes']), /^SecurityOptError: invalid --security-opt 2: "no-new-privileges=yes"$/);
    assert.throws(() => parseSecurityOpt(['no-new-privileges=']), /invalid --security-opt 2: "no-new-privileges="/);
  });

  test('seccomp: the value as given, `=` or the old `:`, cut at the first separator', () => {
    assert.equal(parseSecurityOpt([]).seccompProfile, '');
    assert.equal(parseSecurityOpt(['seccomp=unconfined']).seccompProfile, 'unconfined');
    assert.equal(parseSecurityOpt(['seccomp:unconfined']).seccompProfile, 'unconfined');
    assert.equal(parseSecurityOpt(['seccomp=builtin']).seccompProfile, 'builtin');
    const json = '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"x"}]}';
    assert.equal(parseSecurityOpt([`seccomp=${json}`]).seccompProfile, json);
  });

  test('unknown options are refused, never ignored; AppArmor and SELinux asks are refused unless they ask for none', () => {
    assert.throws(() => parseSecurityOpt(['unknown']), /^SecurityOptError: invalid --security-opt 1: "unknown"$/);
    assert.throws(() => parseSecurityOpt(['label']), /invalid --security-opt 1: "label"/);
    assert.throws(() => parseSecurityOpt(['foo=bar']), /^SecurityOptError: invalid --security-opt 2: "foo=bar"$/);
    assert.throws(() => parseSecurityOpt(['writable-cgroups=dang']), /invalid --security-opt 2: "writable-cgroups=dang"/);
    assert.equal(parseSecurityOpt([]).writableCgroups, undefined);
    assert.equal(parseSecurityOpt(['writable-cgroups']).writableCgroups, true);
    assert.equal(parseSecurityOpt(['writable-cgroups=false']).writableCgroups, false);
    assert.throws(() => parseSecurityOpt(['apparmor=docker-default']), /invalid --security-opt 2: "apparmor=docker-default": AppArmor is not supported/);
    assert.throws(() => parseSecurityOpt(['label=type:svirt_t']), /invalid --security-opt 2: "label=type:svirt_t": SELinux labels are not supported/);
    assert.doesNotThrow(() => parseSecurityOpt(['apparmor=unconfined', 'label=disable', 'label:disable', 'disable']));
  });
});
