import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_CONTRACT_VERSION, parsePullJob, parsePushJob, pullJobId, pushJobId } from './payloads';
import { progressLinesOf } from './progress';

test('payloads of this version parse; other versions and bad fields are refused clearly', () => {
  assert.deepEqual(parsePullJob({ v: 2, reference: 'docker.io/library/busybox:latest', platform: '', account: 'anon' }), { v: 2, reference: 'docker.io/library/busybox:latest', platform: '', account: 'anon', sealedAuth: undefined });
  assert.equal(parsePullJob({ v: 2, reference: 'r', account: 'anon' }).platform, '', 'no platform: the host\'s');
  assert.throws(() => parsePullJob({ reference: 'r' }), /version undefined is not spoken by this worker \(it speaks 2\)/);
  assert.throws(() => parsePullJob({ v: 1, reference: 'r', registryAuth: 'x' }), /version 1/, 'a version 1 payload (credentials in the clear) is refused');
  assert.throws(() => parsePullJob({ v: 2, reference: 5, account: 'anon' }), /reference must be a string/);
  assert.throws(() => parsePullJob({ v: 2, reference: 'r' }), /account must be a string/);
  assert.throws(() => parsePushJob(null), /not an object/);
  assert.equal(JOB_CONTRACT_VERSION, 2);
});

test('job ids: the version, platform and account are part of them', () => {
  const a = pullJobId({ v: 2, reference: 'docker.io/library/busybox:latest', platform: '', account: 'anon' });
  assert.notEqual(a, pullJobId({ v: 2, reference: 'docker.io/library/busybox:latest', platform: 'linux/arm64', account: 'anon' }));
  assert.notEqual(a, pullJobId({ v: 2, reference: 'docker.io/library/busybox:latest', platform: '', account: 'f'.repeat(32) }));
  assert.notEqual(pushJobId({ v: 2, reference: 'r:1', account: 'anon' }), pushJobId({ v: 2, reference: 'r:1', account: 'a'.repeat(32) }));
  assert.doesNotMatch(a, /:/, 'BullMQ ids must not contain ":"');
});

test('progress read back from Redis: lines of a JobProgress, nothing from anything else', () => {
  assert.deepEqual(progressLinesOf({ lines: [{ status: 'Pulling fs layer', id: 'abc' }, 'junk', null] }), [{ status: 'Pulling fs layer', id: 'abc' }]);
  assert.deepEqual(progressLinesOf(42), []);
  assert.deepEqual(progressLinesOf({ lines: 'x' }), []);
});
