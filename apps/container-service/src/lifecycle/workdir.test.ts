import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeWorkingDir, workingDirError } from './workdir';

let tmp: string;
let root: string;
let outside: string;
const me = { uid: process.getuid!(), gid: process.getgid!() };

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workdir-test-'));
  root = path.join(tmp, 'root');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const below = (dir: string): string[] => fs.readdirSync(dir, { recursive: true }).map(String).sort();

describe('workingDirError', () => {
  test('relative paths get dockerd words; absolute and empty pass', () => {
    assert.equal(workingDirError('rel/dir'), "the working directory 'rel/dir' is invalid, it needs to be an absolute path");
    assert.equal(workingDirError('/abs'), undefined);
    assert.equal(workingDirError(''), undefined);
    assert.equal(workingDirError(undefined), undefined);
  });
});

describe('makeWorkingDir', () => {
  test('creates a missing path inside the root, the last directory for the user', () => {
    makeWorkingDir(root, '/a/b/c', me);
    assert.ok(fs.statSync(path.join(root, 'a/b/c')).isDirectory());
  });

  test('.. stops at the root', () => {
    makeWorkingDir(root, `/${'../'.repeat(10)}outside/x`, me);
    assert.deepEqual(below(outside), []);
    assert.ok(fs.statSync(path.join(root, 'outside/x')).isDirectory());
  });

  test('an absolute symlink of the image is followed against the root, not the host', () => {
    fs.symlinkSync(outside, path.join(root, 'w'));
    makeWorkingDir(root, '/w/sub/deeper', me);
    assert.deepEqual(below(outside), []);
    assert.ok(fs.statSync(path.join(root, outside, 'sub/deeper')).isDirectory());
  });

  test('a relative symlink climbing out stays in the root', () => {
    fs.mkdirSync(path.join(root, 'd'));
    fs.symlinkSync('../../../../outside', path.join(root, 'd', 'up'));
    makeWorkingDir(root, '/d/up/made', me);
    assert.deepEqual(below(outside), []);
    assert.ok(fs.statSync(path.join(root, 'outside/made')).isDirectory());
  });

  test('an existing directory is left alone; a file in the way is an error', () => {
    fs.mkdirSync(path.join(root, 'here'), { mode: 0o700 });
    makeWorkingDir(root, '/here', { uid: 12345, gid: 12345 });
    assert.equal(fs.statSync(path.join(root, 'here')).uid, me.uid);
    fs.writeFileSync(path.join(root, 'file'), '');
    assert.throws(() => makeWorkingDir(root, '/file', me), /Cannot mkdir: \/file is not a directory/);
  });
});
