import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { RpcError } from '@berth/rpc';
import { RuntimeCreateError } from './container-runtime';
import { startFailureOf, StartUserError } from './start-failure';

const prefix = 'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: ';

test("dockerd's exit codes and wording for a runtime that refused to create", () => {
  const missing = startFailureOf(new RuntimeCreateError('unable to start container process: exec: "nosuch": executable file not found in $PATH'));
  assert.equal(missing.exitCode, 127);
  assert.equal(missing.error.code, status.INVALID_ARGUMENT);
  assert.equal(missing.error.message, `${prefix}unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown`);

  const denied = startFailureOf(new RuntimeCreateError('unable to start container process: exec: "/etc": permission denied'));
  assert.equal(denied.exitCode, 126);
  assert.equal(denied.error.code, status.INVALID_ARGUMENT);

  const notDir = startFailureOf(new RuntimeCreateError('runc create failed: unable to start container process: error during container init: error mounting "/x": not a directory'));
  assert.equal(notDir.exitCode, 128);
  assert.equal(notDir.error.message, 'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting "/x": not a directory: unknown: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type');

  const other = startFailureOf(new RuntimeCreateError('something else'));
  assert.equal(other.exitCode, 128);
  assert.equal(other.error.code, status.INTERNAL);
});

test('an unknown user, a refused request and anything else', () => {
  const user = startFailureOf(new StartUserError('unable to find user nobody2: no matching entries in passwd file'));
  assert.equal(user.exitCode, 128);
  assert.equal(user.error.message, `${prefix}unable to start container process: unable to find user nobody2: no matching entries in passwd file: unknown`);

  const refused = RpcError.invalidArgument('invalid mount config');
  assert.deepEqual(startFailureOf(refused), { exitCode: 128, error: refused });

  // network-service's refusal over gRPC: its status and words, not grpc-js's "13 INTERNAL: ..." message
  const remote = Object.assign(new Error('13 INTERNAL: Bind for 0.0.0.0:8080 failed: port is already allocated'), { code: status.INTERNAL, details: 'Bind for 0.0.0.0:8080 failed: port is already allocated' });
  const wire = startFailureOf(remote);
  assert.equal(wire.error.message, 'Bind for 0.0.0.0:8080 failed: port is already allocated');
  assert.equal(wire.error.code, status.INTERNAL);

  const plain = startFailureOf(new Error('mount failed'));
  assert.equal(plain.exitCode, 128);
  assert.equal(plain.error.code, status.INTERNAL);
  assert.equal(plain.error.message, 'mount failed');
});
