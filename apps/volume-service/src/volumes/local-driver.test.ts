import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalDriver } from './local-driver';
import { cleanupRoots, tempRoot } from './test-helpers';

after(cleanupRoots);

const mode = (p: string) => fs.statSync(p).mode & 0o7777;

test('directories are <root>/<name> 0701 holding _data 0755, and the root is 0701', () => {
  const root = path.join(tempRoot(), 'volumes');
  const driver = new LocalDriver(root);
  assert.equal(mode(root), 0o701);
  driver.createDirectories('vol1');
  assert.equal(mode(path.join(root, 'vol1')), 0o701);
  assert.equal(driver.mountpoint('vol1'), path.join(root, 'vol1', '_data'));
  assert.equal(mode(driver.mountpoint('vol1')), 0o755);
  // Idempotent, and a mode a container chose is kept.
  fs.chmodSync(driver.mountpoint('vol1'), 0o777);
  driver.createDirectories('vol1');
  assert.equal(mode(driver.mountpoint('vol1')), 0o777);
  assert.throws(() => driver.createDirectories('../escape'), /refusing volume path outside/);
  assert.ok(!fs.existsSync(path.join(root, '..', 'escape')));
});

test('size counts every non-directory entry once, symlinks unfollowed, as dockerd does', async () => {
  const driver = new LocalDriver(tempRoot());
  driver.createDirectories('sized');
  const data = driver.mountpoint('sized');
  fs.writeFileSync(path.join(data, 'f'), 'hello\n');
  fs.symlinkSync('/d/f', path.join(data, 'link'));
  fs.linkSync(path.join(data, 'f'), path.join(data, 'hard'));
  fs.mkdirSync(path.join(data, 'sub'));
  fs.writeFileSync(path.join(data, 'sub', 'g'), '12345');
  fs.writeFileSync(path.join(data, 'empty'), '');
  // The same tree in dockerd 20.10 reclaimed 15 bytes on prune.
  assert.equal(await driver.size('sized'), 15);
  assert.equal(await driver.size('missing'), -1);
});

test('moveAside renames the volume away, purge deletes it, leftovers finds interrupted ones', async () => {
  const driver = new LocalDriver(tempRoot());
  driver.createDirectories('gone');
  fs.writeFileSync(path.join(driver.mountpoint('gone'), 'x'), 'y');
  const aside = driver.moveAside('gone')!;
  assert.ok(!fs.existsSync(driver.volumeDir('gone')));
  assert.match(path.basename(aside), /^\.removing-gone-[0-9a-f]{12}$/);
  assert.deepEqual(driver.leftovers(), [aside]);
  await driver.purge(aside);
  assert.deepEqual(driver.leftovers(), []);
  assert.equal(driver.moveAside('gone'), undefined, 'nothing to move');
  await assert.rejects(driver.purge(driver.root), /refusing to delete/);
  await assert.rejects(driver.purge(path.join(driver.root, 'volname')), /refusing to delete/);
});
