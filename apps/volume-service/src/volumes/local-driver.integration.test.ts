// Integration: real mounts, needs root.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { LocalDriver } from './local-driver';
import { mountSpec } from './mount-options';
import { cleanupRoots, tempRoot } from './test-helpers';

after(cleanupRoots);

const mode = (p: string) => fs.statSync(p).mode & 0o7777;

test('a tmpfs is mounted at _data and detached again; a mounted volume cannot be moved aside', async () => {
  const driver = new LocalDriver(tempRoot());
  const spec = mountSpec({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m,mode=0750' });
  await driver.mount('fast', spec);
  assert.ok(driver.isMounted('fast'));
  assert.equal(mode(driver.mountpoint('fast')), 0o750, 'the o options reached the kernel');
  await driver.mount('fast', spec); // already mounted: no second mount stacked on it
  assert.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === driver.mountpoint('fast')).length, 1);
  assert.throws(() => driver.moveAside('fast'), /volume has active mounts/);
  await driver.unmount('fast');
  assert.ok(!driver.isMounted('fast'));
  await driver.unmount('fast'); // not mounted: fine
});

test('a failed mount explains itself as dockerd does', async () => {
  const driver = new LocalDriver(tempRoot());
  const target = driver.mountpoint('bad');
  await assert.rejects(driver.mount('bad', mountSpec({ type: 'tmpfs', device: 'tmpfs', o: 'bogus=1' })),
    { message: `failed to mount local volume: mount tmpfs:${target}, data: bogus=1: invalid argument` });
  await assert.rejects(driver.mount('bad', mountSpec({ type: 'none', device: '/nonexistent-berth-dir', o: 'bind' })),
    { message: `failed to mount local volume: mount /nonexistent-berth-dir:${target}, flags: 0x1000: no such file or directory` });
  assert.ok(!driver.isMounted('bad'));
});
