import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pidFilePath, readPidFile, removePidFile, writePidFile } from './pidfiles';

test('a pid file is removed only while it still names our process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pids-'));
  try {
    const file = pidFilePath(dir, 'volume');
    assert.equal(file, path.join(dir, 'pids', 'volume.pid'));
    assert.equal(readPidFile(file), undefined);
    writePidFile(file, 111);
    assert.equal(readPidFile(file), 111);
    // A replacement took over the name: the old owner must not delete it.
    writePidFile(file, 222);
    removePidFile(file, 111);
    assert.equal(readPidFile(file), 222);
    removePidFile(file, 222);
    assert.equal(fs.existsSync(file), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
