import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allCapabilities, buildOciSpec, DEFAULT_CAPABILITIES } from '../runtime/oci-spec';
import { buildExecProcess, execEnvironment, grantableCapabilities, replaceOrAppendEnv } from './exec-spec';
import { goDuration } from '../health/go-duration';

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

describe('exec environment', () => {
  test('replaceOrAppendEnv replaces by name, appends new ones, removes bare names', () => {
    assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2', 'C=3'], ['B=x', 'D=4', 'C']), ['A=1', 'B=x', 'D=4']);
    assert.deepEqual(replaceOrAppendEnv(['A=1'], ['A', 'A=2']), ['A=2']);
    assert.deepEqual(replaceOrAppendEnv([], ['X=a=b']), ['X=a=b']);
  });

  test('daemon defaults, then the container env, then the exec env (dockerd order)', () => {
    const env = execEnvironment({ Hostname: 'abc', Env: [PATH, 'FOO=bar', 'KEEP=1'] }, false, ['FOO=baz', 'NEW=1']);
    assert.deepEqual(env, [PATH, 'HOSTNAME=abc', 'FOO=baz', 'KEEP=1', 'NEW=1']);
  });

  test('a TTY adds TERM=xterm unless the container or the exec set it', () => {
    assert.ok(execEnvironment({ Hostname: 'h', Env: [] }, true, []).includes('TERM=xterm'));
    assert.deepEqual(execEnvironment({ Hostname: 'h', Env: ['TERM=vt100'] }, true, []).filter((e) => e.startsWith('TERM=')), ['TERM=vt100']);
    assert.deepEqual(execEnvironment({ Hostname: 'h', Env: [] }, true, ['TERM=dumb']).filter((e) => e.startsWith('TERM=')), ['TERM=dumb']);
    assert.equal(execEnvironment({ Hostname: 'h', Env: [] }, false, []).some((e) => e.startsWith('TERM=')), false);
  });

  test('the container PATH replaces the default one', () => {
    assert.deepEqual(execEnvironment({ Hostname: 'h', Env: ['PATH=/x'] }, false, []), ['PATH=/x', 'HOSTNAME=h']);
  });
});

describe('buildExecProcess', () => {
  const container = buildOciSpec({
    id: 'c1', rootfs: '/r', args: ['sleep', '1000'], cwd: '/srv', env: ['A=1'], hostname: 'c1',
    user: { uid: 5, gid: 6, additionalGids: [7] }, hardLimits: { RLIMIT_NOFILE: 4096 },
  }).process;
  const settings = { entrypoint: 'sh', args: ['-c', 'id'], env: ['X=1'], workingDir: '', tty: false, privileged: false, user: '' };

  test('keeps the container process and replaces command, env, cwd and terminal', () => {
    const p = buildExecProcess(container, settings, undefined);
    assert.deepEqual(p.args, ['sh', '-c', 'id']);
    assert.deepEqual(p.env, ['X=1']);
    assert.equal(p.cwd, '/srv', 'the container cwd when the exec names none');
    assert.equal(p.terminal, false);
    assert.deepEqual(p.user, { uid: 5, gid: 6, additionalGids: [7] }, 'the container user when the exec names none');
    assert.deepEqual(p.rlimits, container.rlimits);
    assert.deepEqual(p.capabilities.effective, DEFAULT_CAPABILITIES);
    assert.equal('consoleSize' in p, false);
    assert.deepEqual(container.args, ['sleep', '1000'], 'the container process is not changed');
  });

  test('working dir, user, TTY with its size, privileged', () => {
    const p = buildExecProcess(container, { ...settings, workingDir: '/tmp', tty: true, privileged: true, consoleSize: { height: 30, width: 100 } },
      { uid: 65534, gid: 65534, additionalGids: [], home: '/home' });
    assert.equal(p.cwd, '/tmp');
    assert.equal(p.terminal, true);
    assert.deepEqual(p.consoleSize, { height: 30, width: 100 });
    assert.deepEqual(p.user, { uid: 65534, gid: 65534 });
    assert.deepEqual(p.capabilities.bounding, grantableCapabilities());
    assert.deepEqual(p.capabilities.effective, grantableCapabilities());
    assert.deepEqual(p.capabilities.permitted, grantableCapabilities());
  });

  test('privileged grants what our bounding set holds', () => {
    const all = allCapabilities();
    assert.deepEqual(grantableCapabilities(`CapBnd:\t${'f'.repeat(16)}\n`), all);
    const noSysResource = grantableCapabilities('CapBnd:\t000001fffeffffff\n');
    assert.equal(noSysResource.includes('CAP_SYS_RESOURCE'), false);
    assert.equal(noSysResource.length, Math.min(all.length, 41) - 1);
    assert.deepEqual(grantableCapabilities('no status'), all);
  });

  test("no-new-privileges carries over from the container's process, also to a privileged exec (as dockerd's exec)", () => {
    const nnp = buildOciSpec({ id: 'c2', rootfs: '/r', args: ['sleep', '1'], noNewPrivileges: true, hardLimits: {} }).process;
    assert.equal(buildExecProcess(nnp, settings, undefined).noNewPrivileges, true);
    assert.equal(buildExecProcess(nnp, { ...settings, privileged: true }, { uid: 1000, gid: 1000, additionalGids: [], home: '/' }).noNewPrivileges, true);
    assert.equal(buildExecProcess(container, settings, undefined).noNewPrivileges, false);
  });

  test('no console size without a TTY', () => {
    const p = buildExecProcess(container, { ...settings, consoleSize: { height: 30, width: 100 } }, undefined);
    assert.equal('consoleSize' in p, false);
  });
});

describe('durations', () => {
  test('Go duration strings', () => {
    assert.equal(goDuration(1000), '1s');
    assert.equal(goDuration(500), '500ms');
    assert.equal(goDuration(1500), '1.5s');
    assert.equal(goDuration(30000), '30s');
    assert.equal(goDuration(90000), '1m30s');
    assert.equal(goDuration(3600000), '1h0m0s');
  });
});
