import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { startFailure } from './start-failure';

describe('startFailure', () => {
  test('exec: exit codes as dockerd derives them from runc\'s reason', () => {
    const nf = startFailure('exec failed: unable to start container process: exec: "nope": executable file not found in $PATH', 'exec');
    assert.equal(nf.exitCode, 127);
    assert.equal(nf.error.message, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown');
    assert.equal(nf.error.code, status.INVALID_ARGUMENT);
    assert.equal(startFailure('exec: "/etc": permission denied', 'exec').exitCode, 126);
    assert.equal(startFailure('exec: "/etc/passwd/x": not a directory', 'exec').exitCode, 127);
    const other = startFailure('something else', 'exec');
    assert.equal(other.exitCode, 126);
    assert.equal(other.error.code, status.INTERNAL);
  });

  test('create: dockerd\'s wording, 127/126, and 128 with a hint for a mount over the wrong kind of file', () => {
    const nf = startFailure('unable to start container process: exec: "nope": executable file not found in $PATH', 'create');
    assert.equal(nf.exitCode, 127);
    assert.equal(
      nf.error.message,
      'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
    );
    assert.match(startFailure('runc create failed: x', 'create').error.message, /OCI runtime create failed: runc create failed: x: unknown$/);
    assert.equal(startFailure('exec: "/etc": Permission denied', 'create').exitCode, 126);
    const mount = startFailure('error mounting "/a" to rootfs at "/b": not a directory', 'create');
    assert.equal(mount.exitCode, 128);
    assert.match(mount.error.message, /: unknown: Are you trying to mount a directory onto a file \(or vice-versa\)\?/);
    const other = startFailure('cgroup trouble', 'create');
    assert.equal(other.exitCode, 128);
    assert.equal(other.error.code, status.INTERNAL);
  });
});
