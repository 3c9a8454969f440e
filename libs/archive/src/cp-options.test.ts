import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { UnsafeArchiveError, extractLayer, packDirectory } from './index';
import { type FixtureEntry, collect, listTar, makeTar, removeDir, streamOf, tempDir } from './tar-fixtures';

const file = (name: string, content = 'x'): FixtureEntry => ({ header: { name, type: 'file', mode: 0o644 }, content });
const hardlink = (name: string, linkname: string): FixtureEntry => ({ header: { name, type: 'link', linkname } });

describe('extractLayer with a root above the target (docker cp into a container)', () => {
  let work: string;
  let root: string;
  before(() => {
    work = tempDir();
    root = path.join(work, 'rootfs');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(root, 'tmp'));
    fs.writeFileSync(path.join(work, 'victim'), 'original');
    // Absolute and climbing links, as a container has them: resolved against the root.
    fs.symlinkSync('/etc', path.join(root, 'tmp', 'etclink'));
    fs.symlinkSync('../../../../..', path.join(root, 'tmp', 'up'));
  });
  after(() => removeDir(work));

  it('writes below the target, and resolves symlinks on the way against the root', async () => {
    const tar = await makeTar([file('a'), file('etclink/b', 'via link'), file('up/c', 'clamped')]);
    await extractLayer(streamOf(tar), path.join(root, 'tmp'), { root, symlinks: 'chroot' });
    assert.equal(fs.readFileSync(path.join(root, 'tmp', 'a'), 'utf8'), 'x');
    assert.equal(fs.readFileSync(path.join(root, 'etc', 'b'), 'utf8'), 'via link');
    assert.equal(fs.readFileSync(path.join(root, 'c'), 'utf8'), 'clamped');
    assert.equal(fs.readFileSync(path.join(work, 'victim'), 'utf8'), 'original');
    assert.ok(!fs.existsSync(path.join(work, 'c')));
  });

  it('still refuses names that climb out of the target, and hard links to outside it', async () => {
    await assert.rejects(extractLayer(streamOf(await makeTar([file('../escape')])), path.join(root, 'tmp'), { root, symlinks: 'chroot' }), UnsafeArchiveError);
    await assert.rejects(extractLayer(streamOf(await makeTar([hardlink('h', '../etc/b')])), path.join(root, 'tmp'), { root, symlinks: 'chroot' }), UnsafeArchiveError);
    assert.ok(!fs.existsSync(path.join(root, 'escape')));
  });

  it('refuses a target outside the root', async () => {
    await assert.rejects(extractLayer(streamOf(await makeTar([file('x')])), work, { root, symlinks: 'chroot' }), /is not inside/);
  });
});

describe('packDirectory with rebase "/"', () => {
  let work: string;
  before(() => {
    work = tempDir();
    fs.mkdirSync(path.join(work, 'etc'));
    fs.writeFileSync(path.join(work, 'etc', 'passwd'), 'root');
  });
  after(() => removeDir(work));

  it('names the root "/" and everything below it absolutely, as dockerd does for docker cp c:/', async () => {
    const names = (await listTar(await collect(packDirectory(work, { includeRoot: true, rebase: '/' })))).map((h) => h.name);
    assert.deepEqual(names, ['/', '/etc/', '/etc/passwd']);
  });
});
