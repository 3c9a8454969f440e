import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DetachWatcher, parseDetachKeys } from './detach-keys';

describe('detach keys', () => {
  test('parsing', () => {
    assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
    assert.deepEqual([...parseDetachKeys('a,ctrl-@,ctrl-[')], [97, 0, 27]);
    assert.throws(() => parseDetachKeys('ctrl-1'), /Invalid detach keys/);
  });

  test('the sequence detaches and is swallowed; a partial match is passed on', () => {
    const w = new DetachWatcher(parseDetachKeys('ctrl-p,ctrl-q'));
    assert.deepEqual(w.feed(Buffer.from([104, 16])), { forward: Buffer.from([104]), detach: false });
    assert.deepEqual(w.feed(Buffer.from([105])), { forward: Buffer.from([16, 105]), detach: false });
    assert.deepEqual(w.feed(Buffer.from([16])), { forward: Buffer.alloc(0), detach: false });
    assert.deepEqual(w.feed(Buffer.from([17, 120])), { forward: Buffer.alloc(0), detach: true });
  });
});
