import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';

import { InvalidArchiveError, UnsafeArchiveError, cleanEntryName, extractLayer, extractLayerAtomically } from './index';
import { type FixtureEntry, makeTar, removeDir, streamOf, tempDir } from './tar-fixtures';

const file = (name: string, content = 'x'): FixtureEntry => ({ header: { name, type: 'file', mode: 0o644 }, content });
const dir = (name: string, mode = 0o755): FixtureEntry => ({ header: { name, type: 'directory', mode } });
const symlink = (name: string, linkname: string): FixtureEntry => ({ header: { name, type: 'symlink', linkname } });
const hardlink = (name: string, linkname: string): FixtureEntry => ({ header: { name, type: 'link', linkname } });

/** Every file under a directory, to prove nothing landed where it should not. */
function listAll(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const n of fs.readdirSync(d)) {
      const r = rel ? `${rel}/${n}` : n;
      out.push(r);
      const st = fs.lstatSync(path.join(d, n));
      if (st.isDirectory()) walk(path.join(d, n), r);
    }
  };
  walk(root, '');
  return out.sort();
}

describe('cleanEntryName', () => {
  const ok: Array<[string, string]> = [
    ['a', 'a'], ['./a', 'a'], ['/a', 'a'], ['///a//b/', 'a/b'], ['a/./b', 'a/b'], ['a/b/../c', 'a/c'],
    ['.', '.'], ['./', '.'], ['/', '.'], ['', '.'], ['a/..', '.'],
  ];
  for (const [input, want] of ok) it(`${JSON.stringify(input)} → ${want}`, () => assert.equal(cleanEntryName(input), want));
  for (const bad of ['..', '../a', 'a/../../b', '/../a', './../a', 'a/b/../../../c']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => cleanEntryName(bad), UnsafeArchiveError));
  }
});

describe('malicious archives are refused and leave nothing behind', () => {
  let work: string;
  let outside: string;
  before(() => {
    work = tempDir();
    outside = path.join(work, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'victim'), 'original');
  });
  after(() => removeDir(work));

  const outsideRel = (): string => path.relative('/', outside);

  const cases: Array<{ name: string; entries: () => FixtureEntry[]; error: RegExp | (new (...args: never[]) => Error) }> = [
    { name: '../evil', entries: () => [file('../evil')], error: UnsafeArchiveError },
    { name: 'a/../../evil', entries: () => [dir('a'), file('a/../../evil')], error: UnsafeArchiveError },
    { name: '/../evil (absolute, then climbing)', entries: () => [file('/../evil')], error: UnsafeArchiveError },
    { name: 'good file then ../../evil', entries: () => [file('ok'), file('../../evil')], error: UnsafeArchiveError },
    { name: 'symlink link -> / then link/etc/evil', entries: () => [symlink('link', '/'), file('link/etc/evil')], error: UnsafeArchiveError },
    { name: 'symlink to the outside dir then link/victim', entries: () => [symlink('link', outside), file('link/victim', 'pwned')], error: UnsafeArchiveError },
    { name: 'symlink link -> ../.. then link/evil', entries: () => [symlink('link', '../..'), file('link/evil')], error: UnsafeArchiveError },
    { name: 'nested symlink d/up -> ../../.. then d/up/evil', entries: () => [dir('d'), symlink('d/up', '../../..'), file('d/up/evil')], error: UnsafeArchiveError },
    { name: 'symlink chain a -> b, b -> / then a/evil', entries: () => [symlink('a', 'b'), symlink('b', '/'), file('a/evil')], error: UnsafeArchiveError },
    { name: 'symlink then a directory through it', entries: () => [symlink('link', '../..'), dir('link/newdir')], error: UnsafeArchiveError },
    { name: 'symlink then a symlink through it', entries: () => [symlink('link', '/tmp'), symlink('link/evil', '/')], error: UnsafeArchiveError },
    { name: 'hard link to ../x', entries: () => [hardlink('x', '../x')], error: UnsafeArchiveError },
    { name: 'hard link to a/../../x', entries: () => [dir('a'), hardlink('x', 'a/../../x')], error: UnsafeArchiveError },
    { name: 'hard link to /etc/passwd (absent inside)', entries: () => [hardlink('passwd', '/etc/passwd')], error: InvalidArchiveError },
    { name: 'hard link through a symlink to outside', entries: () => [symlink('l', outside), hardlink('x', 'l/victim')], error: UnsafeArchiveError },
    { name: 'hard link to a host path by its absolute name', entries: () => [hardlink('x', path.join(outside, 'victim'))], error: InvalidArchiveError },
    { name: 'whiteout through a symlink (overlay)', entries: () => [symlink('link', '../..'), file('link/.wh.victim', '')], error: UnsafeArchiveError },
    { name: 'invalid whiteout name', entries: () => [file('.wh..', '')], error: InvalidArchiveError },
    { name: 'a file used as a directory', entries: () => [file('f'), file('f/g')], error: /not a directory/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const parent = path.join(work, `case-${cases.indexOf(c)}`);
      fs.mkdirSync(parent);
      const target = path.join(parent, 'layer');
      const archive = await makeTar(c.entries());
      const whiteouts = c.name.includes('whiteout') ? 'overlay' : 'keep';
      await assert.rejects(extractLayerAtomically(streamOf(archive), target, { whiteouts }), c.error);
      assert.deepEqual(fs.readdirSync(parent), [], 'neither the layer nor its temporary directory remains');
      assert.deepEqual(listAll(outside), ['victim']);
      assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'original');
      assert.equal(fs.existsSync(path.join(work, 'evil')), false);
      assert.equal(fs.existsSync('/evil'), false);
      assert.equal(fs.existsSync('/etc/evil'), false);
    });
  }

  it('hard link /etc/passwd resolves inside the target, never to the host file', async () => {
    const hostPasswd = fs.statSync('/etc/passwd');
    const target = path.join(work, 'inside-passwd');
    await extractLayerAtomically(streamOf(await makeTar([dir('etc'), file('etc/passwd', 'inner'), hardlink('copy', '/etc/passwd')])), target);
    const copy = fs.statSync(path.join(target, 'copy'));
    assert.equal(copy.ino, fs.statSync(path.join(target, 'etc', 'passwd')).ino);
    assert.notEqual(copy.ino, hostPasswd.ino);
    assert.equal(fs.statSync('/etc/passwd').nlink, hostPasswd.nlink);
  });

  it('a symlink may point anywhere; a file of the same name replaces it, never writes through it', async () => {
    const target = path.join(work, 'replace-link');
    const victim = path.join(outside, 'victim');
    await extractLayer(streamOf(await makeTar([symlink('link', victim), file('link', 'replaced')])), target);
    assert.equal(fs.lstatSync(path.join(target, 'link')).isFile(), true);
    assert.equal(fs.readFileSync(path.join(target, 'link'), 'utf8'), 'replaced');
    assert.equal(fs.readFileSync(victim, 'utf8'), 'original');
    const target2 = path.join(work, 'keep-link');
    await extractLayer(streamOf(await makeTar([symlink('passwd', '/etc/passwd'), symlink('up', '../../..')])), target2);
    assert.equal(fs.readlinkSync(path.join(target2, 'passwd')), '/etc/passwd');
    assert.equal(fs.readlinkSync(path.join(target2, 'up')), '../../..');
  });

  it('a symlink that stays inside is followed (bin -> usr/bin)', async () => {
    const target = path.join(work, 'merged-usr');
    await extractLayer(streamOf(await makeTar([dir('usr'), dir('usr/bin'), symlink('bin', 'usr/bin'), file('bin/sh', 'shell'),
      symlink('abs', '/usr'), symlink('lib', './usr/../usr')])), target);
    assert.equal(fs.readFileSync(path.join(target, 'usr', 'bin', 'sh'), 'utf8'), 'shell');
    // An absolute link is a host path under `refuse`: /usr is outside the target.
    await assert.rejects(extractLayer(streamOf(await makeTar([file('abs/x')])), target), UnsafeArchiveError);
    await extractLayer(streamOf(await makeTar([file('lib/y', 'y')])), target);
    assert.equal(fs.readFileSync(path.join(target, 'usr', 'y'), 'utf8'), 'y');
  });

  it('chroot policy resolves links as inside the container and never leaves the target', async () => {
    const target = path.join(work, 'chroot');
    await extractLayer(streamOf(await makeTar([
      symlink('root', '/'), file('root/etc/evil', 'a'),
      symlink('up', '../..'), file('up/evil', 'b'),
      dir('var'), symlink('var/run', '/run'), file('var/run/pid', 'c'),
    ])), target, { symlinks: 'chroot' });
    assert.equal(fs.readFileSync(path.join(target, 'etc', 'evil'), 'utf8'), 'a');
    assert.equal(fs.readFileSync(path.join(target, 'evil'), 'utf8'), 'b');
    assert.equal(fs.readFileSync(path.join(target, 'run', 'pid'), 'utf8'), 'c');
    assert.equal(fs.existsSync('/etc/evil'), false);
    assert.equal(fs.existsSync(path.join(work, 'evil')), false);
  });

  it('refuses to write through a symlink already in the target', async () => {
    const target = path.join(work, 'existing');
    fs.mkdirSync(target);
    fs.symlinkSync(outside, path.join(target, 'out'));
    await assert.rejects(extractLayer(streamOf(await makeTar([file('out/victim', 'pwned')])), target), UnsafeArchiveError);
    assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'original');
  });

  it('deferred directory metadata does not follow a directory later replaced by a symlink', async () => {
    const target = path.join(work, 'swap');
    const before = fs.statSync(outside);
    await extractLayer(streamOf(await makeTar([
      { header: { name: 'd', type: 'directory', mode: 0o777, mtime: new Date(0) } },
      file('d/f'),
      symlink('d', outside),
    ])), target);
    const afterStat = fs.statSync(outside);
    assert.equal(afterStat.mode, before.mode);
    assert.equal(afterStat.mtimeMs, before.mtimeMs);
    assert.equal(fs.readlinkSync(path.join(target, 'd')), outside);
  });

  it('the outside victim is still intact', () => {
    assert.equal(outsideRel().length > 0, true);
    assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'original');
  });
});

describe('corrupt and truncated input', () => {
  let work: string;
  let tarball: Buffer;
  before(async () => {
    work = tempDir();
    tarball = await makeTar([dir('d'), file('d/big', 'z'.repeat(200_000)), file('after', 'tail')]);
  });
  after(() => removeDir(work));

  const expectRejected = async (input: Buffer, label: string): Promise<void> => {
    const parent = path.join(work, label);
    fs.mkdirSync(parent);
    await assert.rejects(extractLayerAtomically(streamOf(input), path.join(parent, 'layer')), InvalidArchiveError);
    assert.deepEqual(fs.readdirSync(parent), []);
  };

  it('truncated gzip', async () => {
    const gz = zlib.gzipSync(tarball);
    await expectRejected(gz.subarray(0, Math.floor(gz.length / 2)), 'gzip-half');
    await expectRejected(gz.subarray(0, gz.length - 4), 'gzip-no-trailer');
  });

  it('truncated tar', async () => {
    await expectRejected(tarball.subarray(0, 512 + 512 + 100_000), 'tar-mid-data');
    await expectRejected(tarball.subarray(0, 700), 'tar-mid-header');
  });

  it('corrupt tar header', async () => {
    const bad = Buffer.from(tarball);
    bad[600] ^= 0xff; // inside the second header: checksum no longer matches
    await expectRejected(bad, 'bad-checksum');
  });

  it('corrupt gzip data', async () => {
    const gz = Buffer.from(zlib.gzipSync(tarball));
    for (let i = 100; i < 140; i++) gz[i] ^= 0x55;
    await expectRejected(gz, 'gzip-corrupt');
  });

  it('not an archive at all', async () => {
    await expectRejected(Buffer.from('hello, this is not a tar file\n'.repeat(40)), 'text');
  });

  it('an input stream that fails', async () => {
    const parent = path.join(work, 'failing');
    fs.mkdirSync(parent);
    const { Readable } = await import('node:stream');
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    await assert.rejects(extractLayerAtomically(failing, path.join(parent, 'layer')), /connection reset/);
    assert.deepEqual(fs.readdirSync(parent), []);
  });
});
