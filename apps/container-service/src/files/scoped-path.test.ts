import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScopedPathError, resolveInRoot } from './scoped-path';

describe('resolveInRoot: symlinks resolved as in a chroot', () => {
  let work: string;
  let root: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-scope-'));
    root = path.join(work, 'root');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(root, 'tmp'));
    fs.mkdirSync(path.join(work, 'etc'));
    fs.writeFileSync(path.join(work, 'etc', 'secret'), 'host');
    fs.writeFileSync(path.join(root, 'etc', 'hostname'), 'c1\n');
    fs.symlinkSync('/etc', path.join(root, 'tmp', 'etclink'));
    fs.symlinkSync('../../../../..', path.join(root, 'tmp', 'up'));
    fs.symlinkSync('/../../etc/secret', path.join(root, 'tmp', 'abs-up'));
    fs.symlinkSync(work, path.join(root, 'tmp', 'host')); // an absolute host path: means /<that path> inside
    fs.symlinkSync('loop2', path.join(root, 'tmp', 'loop1'));
    fs.symlinkSync('loop1', path.join(root, 'tmp', 'loop2'));
    fs.symlinkSync('missing/../etc', path.join(root, 'tmp', 'broken-then-back'));
    fs.symlinkSync('/nowhere/x', path.join(root, 'tmp', 'dangling'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('a link in the middle is followed, an absolute one from the root', () => {
    const r = resolveInRoot(root, '/tmp/etclink/hostname');
    assert.equal(r.rel, 'etc/hostname');
    assert.equal(r.containerPath, '/etc/hostname');
    assert.ok(r.stat!.isFile());
  });

  test('the last component is not followed unless asked, or written with a trailing slash', () => {
    assert.equal(resolveInRoot(root, '/tmp/etclink').rel, 'tmp/etclink');
    assert.ok(resolveInRoot(root, '/tmp/etclink').stat!.isSymbolicLink());
    assert.equal(resolveInRoot(root, '/tmp/etclink', { followLast: true }).rel, 'etc');
    assert.equal(resolveInRoot(root, '/tmp/etclink/').rel, 'etc');
    assert.equal(resolveInRoot(root, '/tmp/etclink/.').rel, 'etc');
  });

  test('.. chains and absolute targets stop at the root', () => {
    assert.equal(resolveInRoot(root, '/tmp/up', { followLast: true }).rel, '');
    assert.equal(resolveInRoot(root, '/tmp/up/etc/hostname').rel, 'etc/hostname');
    assert.throws(() => resolveInRoot(root, '/tmp/abs-up', { followLast: true }), (e: unknown) => e instanceof ScopedPathError && e.code === 'ENOENT');
    assert.throws(() => resolveInRoot(root, `/tmp/host/etc/secret`), (e: unknown) => e instanceof ScopedPathError && e.code === 'ENOENT');
  });

  test('errors: missing, not a directory, loops', () => {
    assert.throws(() => resolveInRoot(root, '/nonexistent'), { message: 'lstat /nonexistent: no such file or directory' });
    assert.throws(() => resolveInRoot(root, '/etc/hostname/'), { message: 'lstat /etc/hostname/: not a directory' });
    assert.throws(() => resolveInRoot(root, '/etc/hostname/x'), (e: unknown) => e instanceof ScopedPathError && e.code === 'ENOTDIR');
    assert.throws(() => resolveInRoot(root, '/tmp/loop1', { followLast: true }), (e: unknown) => e instanceof ScopedPathError && e.code === 'ELOOP');
  });

  test('lenient resolution goes on through missing names, as FollowSymlinkInScope', () => {
    const d = resolveInRoot(root, '/tmp/dangling', { followLast: true, lenient: true });
    assert.equal(d.containerPath, '/nowhere/x');
    assert.equal(d.stat, null);
    const back = resolveInRoot(root, '/tmp/broken-then-back', { followLast: true, lenient: true });
    assert.equal(back.containerPath, '/tmp/etc');
  });
});
