import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { groupId } from './socket-group';

test('groupId reads the group database; numbers are taken as they are; a missing group is undefined', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-group-'));
  try {
    const file = path.join(dir, 'group');
    fs.writeFileSync(file, 'root:x:0:\ndocker:x:107:alice,bob\nbroken\n');
    assert.equal(groupId('docker', file), 107);
    assert.equal(groupId('root', file), 0);
    assert.equal(groupId('nosuch', file), undefined);
    assert.equal(groupId('1234', file), 1234);
    assert.equal(groupId('docker', path.join(dir, 'missing')), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
