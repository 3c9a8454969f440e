import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { volume } from './index';

test('a map key "__proto__" crosses gRPC as an own entry, never as a prototype', () => {
  const labels: Record<string, string> = {};
  Object.defineProperty(labels, '__proto__', { value: 'x', enumerable: true, writable: true, configurable: true });
  labels.plain = 'y';
  const req = volume.CreateVolumeRequest.fromPartial({ name: 'v' });
  req.labels = labels;
  const decoded = volume.CreateVolumeRequest.decode(volume.CreateVolumeRequest.encode(req).finish());
  assert.deepEqual(Object.entries(decoded.labels).sort(), [['__proto__', 'x'], ['plain', 'y']]);
  assert.equal(Object.getPrototypeOf(decoded.labels), Object.prototype);
  assert.equal(JSON.stringify(decoded.labels), '{"__proto__":"x","plain":"y"}');
});
