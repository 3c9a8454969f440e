import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mountsUnder, parseMountInfo, unescapeMountPath, unmountUnder } from './mounts';

const SAMPLE = [
  '22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '30 22 0:25 / /tmp/berth-abc/data/containers/c1/merged rw,relatime - overlay overlay rw,lowerdir=/x',
  '31 22 0:4 net:[4026532] /tmp/berth-abc/run/netns/n1 rw shared:5 - nsfs nsfs rw',
  '32 30 0:26 / /tmp/berth-abc/data/containers/c1/merged/proc rw - proc proc rw',
  '33 22 0:27 / /tmp/berth-abcdef/run rw - tmpfs tmpfs rw',
  '34 22 0:28 / /tmp/berth-abc/with\\040space rw - tmpfs tmpfs rw',
].join('\n');

test('mountinfo lines parse into mount points and types', () => {
  const m = parseMountInfo(SAMPLE);
  assert.equal(m.length, 6);
  assert.deepEqual(m[1], { id: 30, parentId: 22, mountPoint: '/tmp/berth-abc/data/containers/c1/merged', fsType: 'overlay' });
  assert.equal(m[2].fsType, 'nsfs');
});

test('octal escapes are decoded', () => {
  assert.equal(unescapeMountPath('/a\\040b\\011c\\134d'), '/a b\tc\\d');
});

test('only mounts below the root, deepest first, sibling prefixes excluded', () => {
  assert.deepEqual(mountsUnder('/tmp/berth-abc', SAMPLE), [
    '/tmp/berth-abc/data/containers/c1/merged/proc',
    '/tmp/berth-abc/data/containers/c1/merged',
    '/tmp/berth-abc/run/netns/n1',
    '/tmp/berth-abc/with space',
  ]);
});
