import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareRoots } from './roots';

test('data root and run root are 0711, the pid directory 0755, new or existing, whatever the umask', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-roots-'));
  const umask = process.umask(0o077);
  try {
    const data = path.join(base, 'data');
    const run = path.join(base, 'run');
    fs.mkdirSync(run, { mode: 0o777 });
    fs.chmodSync(run, 0o777);
    prepareRoots(data, run);
    const mode = (p: string) => fs.statSync(p).mode & 0o7777;
    assert.equal(mode(data), 0o711);
    assert.equal(mode(run), 0o711);
    assert.equal(mode(path.join(run, 'pids')), 0o755);
  } finally {
    process.umask(umask);
    fs.rmSync(base, { recursive: true, force: true });
  }
});
