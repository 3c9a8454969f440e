import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorRedactor } from './redact';

test('a path in a container\'s overlay is shown as the container sees it; other state paths are hidden', () => {
  const r = new ErrorRedactor(['/var/lib/berth', '/run/berth']);
  assert.equal(r.redact(400, "lstat /var/lib/berth/containers/abc/merged/etc/x: no such file"), 'lstat /etc/x: no such file');
  assert.equal(r.redact(500, 'open /var/lib/berth/image/layers/sha256/y: permission denied'), 'open <berth>: permission denied');
  assert.equal(r.redact(500, 'dial unix /run/berth/container.sock: refused'), 'dial unix <berth>: refused');
  assert.equal(r.redact(404, 'No such container: web'), 'No such container: web');
});

test('the JavaScript of a bug never reaches a client', () => {
  const r = new ErrorRedactor();
  assert.equal(r.redact(500, 'spec.split is not a function'), 'internal error');
  assert.equal(r.redact(500, "Cannot read properties of null (reading 'indexOf')"), 'internal error');
  assert.equal(r.redact(500, "The argument 'path' must be a string, Uint8Array, or URL without null bytes. Received '/x\\x00'"), 'internal error');
  assert.equal(r.redact(500, 'Invalid escape keys (x) provided'), 'Invalid escape keys (x) provided');
});

test('errors inside streams are cleaned the same way', async () => {
  const { setHostRoots } = await import('./redact');
  const { errorMessage } = await import('../streams/json-lines');
  setHostRoots(['/var/lib/berth']);
  try {
    assert.deepEqual(errorMessage('write /var/lib/berth/image/tmp/x: no space left on device'), {
      errorDetail: { message: 'write <berth>: no space left on device' }, error: 'write <berth>: no space left on device',
    });
  } finally {
    setHostRoots([]);
  }
});
