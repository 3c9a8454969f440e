import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeMountPath, isMountPoint, mountPoints, mountsUnder, parseMountInfo, readMountInfo, unescapeMountPath } from './index';

const SAMPLE = [
  '22 1 0:21 / / rw,relatime shared:1 - overlay overlay rw',
  '23 22 0:22 / /proc rw,nosuid shared:2 - proc proc rw',
  '40 22 0:35 / /var/lib/berth/a\\040b rw master:3 - tmpfs tmpfs rw',
  '41 40 0:36 / /var/lib/berth/a\\040b/c rw - ext4 /dev/sda1 rw',
  '42 22 0:37 / /var/lib/berthX rw - tmpfs tmpfs rw',
  '',
].join('\n');

test('mountinfo lines parse into ids, mount points and types', () => {
  const entries = parseMountInfo(SAMPLE);
  assert.equal(entries.length, 5);
  assert.deepEqual(entries[0], { id: 22, parentId: 1, mountPoint: '/', fsType: 'overlay' });
  assert.deepEqual(entries[2], { id: 40, parentId: 22, mountPoint: '/var/lib/berth/a b', fsType: 'tmpfs' });
  assert.equal(entries[3]!.fsType, 'ext4');
});

test('octal escapes are decoded, and made as the kernel makes them', () => {
  assert.equal(unescapeMountPath('/a\\040b\\011c\\134d'), '/a b\tc\\d');
  assert.equal(escapeMountPath('/a b\tc\\d\ne'), '/a\\040b\\011c\\134d\\012e');
  assert.equal(unescapeMountPath(escapeMountPath('/x y\\z')), '/x y\\z');
});

test('isMountPoint agrees with the parsed table for every mount of this process, and for what is not one', () => {
  const text = readMountInfo();
  for (const p of mountPoints(text)) assert.equal(isMountPoint(p, text), true, p);
  for (const p of ['/nonexistent-mount', '/var/lib/berth/a', '/var/lib/berth/a b/c/d']) {
    assert.equal(isMountPoint(p, SAMPLE), mountPoints(SAMPLE).includes(p), p);
  }
  assert.equal(isMountPoint('/proc', SAMPLE), true);
  assert.equal(isMountPoint('/var/lib/berthX', SAMPLE), true, 'the last line, without a trailing newline issue');
  assert.equal(isMountPoint('/var/lib/berth/a', 'short line\n'), false);
});

test('mount points, exact matches and what lies below a directory', () => {
  assert.deepEqual(mountPoints(SAMPLE), ['/', '/proc', '/var/lib/berth/a b', '/var/lib/berth/a b/c', '/var/lib/berthX']);
  assert.equal(isMountPoint('/var/lib/berth/a b', SAMPLE), true);
  assert.equal(isMountPoint('/var/lib/berth/a b/', SAMPLE), true);
  assert.equal(isMountPoint('/var/lib/berth', SAMPLE), false);
  assert.deepEqual(mountsUnder('/var/lib/berth/a b', SAMPLE), ['/var/lib/berth/a b/c', '/var/lib/berth/a b']);
  // a sibling that shares the prefix (berthX) is not below it
  assert.deepEqual(mountsUnder('/var/lib/berth/', SAMPLE), ['/var/lib/berth/a b/c', '/var/lib/berth/a b']);
});

test('this process has a root mount', () => {
  assert.ok(mountPoints(readMountInfo()).includes('/'));
  assert.equal(isMountPoint('/'), true);
});
