// Integration: real mounts, needs root.
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

test('stacked and nested mounts below a root are all unmounted', () => {
  const root = fs.mkdtempSync('/tmp/berth-mtest-');
  try {
    fs.mkdirSync(`${root}/a`);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', `${root}/a`]).status, 0);
    fs.mkdirSync(`${root}/a/b`);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', `${root}/a/b`]).status, 0);
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', `${root}/a/b`]).status, 0);
    assert.equal(mountsUnder(root).length, 2);
    assert.deepEqual(unmountUnder(root), []);
    assert.deepEqual(mountsUnder(root), []);
  } finally {
    unmountUnder(root);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
