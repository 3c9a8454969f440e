import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_CONTRACT_VERSION, parsePullJob, parsePushJob, pullJobId } from './payloads';
import { progressLinesOf } from './progress';

test('payloads of this version parse; other versions and bad fields are refused clearly', () => {
  assert.deepEqual(parsePullJob({ v: 1, reference: 'docker.io/library/busybox:latest', platform: '' }), { v: 1, reference: 'docker.io/library/busybox:latest', platform: '', registryAuth: undefined });
  assert.equal(parsePullJob({ v: 1, reference: 'r' }).platform, '', 'no platform: the host\'s');
  assert.throws(() => parsePullJob({ reference: 'r' }), /version undefined is not spoken by this worker \(it speaks 1\)/);
  assert.throws(() => parsePullJob({ v: 2, reference: 'r' }), /version 2/);
  assert.throws(() => parsePullJob({ v: 1, reference: 5 }), /reference must be a string/);
  assert.throws(() => parsePushJob(null), /not an object/);
  assert.equal(JOB_CONTRACT_VERSION, 1);
});

test('identical pulls share one job id; the version and platform are part of it', () => {
  const a = pullJobId({ v: 1, reference: 'docker.io/library/busybox:latest', platform: '' });
  assert.equal(a, pullJobId({ v: 1, reference: 'docker.io/library/busybox:latest', platform: '', registryAuth: 'x' }));
  assert.notEqual(a, pullJobId({ v: 1, reference: 'docker.io/library/busybox:latest', platform: 'linux/arm64' }));
  assert.doesNotMatch(a, /:/, 'BullMQ ids must not contain ":"');
});

test('progress read back from Redis: lines of a JobProgress, nothing from anything else', () => {
  assert.deepEqual(progressLinesOf({ lines: [{ status: 'Pulling fs layer', id: 'abc' }, 'junk', null] }), [{ status: 'Pulling fs layer', id: 'abc' }]);
  assert.deepEqual(progressLinesOf(42), []);
  assert.deepEqual(progressLinesOf({ lines: 'x' }), []);
});
