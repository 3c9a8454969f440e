// Integration: real mounts, needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mountsUnder } from '@berth/host';
import { unmountUnder } from './mounts';

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
