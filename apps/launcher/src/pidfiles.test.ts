import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPidFileSync, writePidFile } from '@berth/host';
import { pidFilePath, removePidFile } from './pidfiles';

test('a pid file is removed only while it still names our process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pids-'));
  try {
    const file = pidFilePath(dir, 'volume');
    assert.equal(file, path.join(dir, 'pids', 'volume.pid'));
    assert.equal(readPidFileSync(file), undefined);
    writePidFile(file, 111);
    assert.equal(readPidFileSync(file), 111);
    // A replacement took over the name: the old owner must not delete it.
    writePidFile(file, 222);
    removePidFile(file, 111);
    assert.equal(readPidFileSync(file), 222);
    removePidFile(file, 222);
    assert.equal(fs.existsSync(file), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
