import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NoFollowTree } from './nofollow-tree';
import { directorySize } from '../containers/container-size';

let tmp: string;
let root: string;
let outside: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nofollow-test-'));
  root = path.join(tmp, 'root');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(root, 'd/e'), { recursive: true });
  fs.writeFileSync(path.join(root, 'd/e/f'), 'inside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'x'.repeat(1000));
  fs.symlinkSync(outside, path.join(root, 'link'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('NoFollowTree', () => {
  test('lists and stats below the root; a link is an entry, never a way in', async () => {
    const tree = new NoFollowTree(root);
    try {
      assert.deepEqual(tree.list('').sort(), ['d', 'link']);
      assert.deepEqual(tree.list('d/e'), ['f']);
      assert.ok(tree.lstat('link')!.isSymbolicLink());
      assert.deepEqual(tree.list('link'), []);
      assert.deepEqual(tree.list('link/'), []);
      assert.equal(tree.lstat('link/secret'), null);
      assert.deepEqual(await tree.listAsync('d'), ['e']);
    } finally {
      tree.close();
    }
  });

  test('a directory swapped for a link to the outside after it was listed is not entered', () => {
    const tree = new NoFollowTree(root);
    try {
      assert.deepEqual(tree.list(''), ['d', 'link']);
      fs.renameSync(path.join(root, 'd'), path.join(tmp, 'moved'));
      fs.symlinkSync(outside, path.join(root, 'd'));
      assert.deepEqual(tree.list('d'), []);
      assert.equal(tree.lstat('d/secret'), null);
    } finally {
      tree.close();
    }
  });

  test('an opened directory stays the one listed even when its path changes', () => {
    const tree = new NoFollowTree(root);
    try {
      assert.deepEqual(tree.list('d'), ['e']);
      fs.renameSync(path.join(root, 'd'), path.join(root, 'd2'));
      fs.symlinkSync(outside, path.join(root, 'd'));
      assert.deepEqual(tree.list('d'), ['e']);
      assert.equal(tree.lstat('d/secret'), null);
    } finally {
      tree.close();
    }
  });

  test('directorySize counts the root only, not what its links lead to', async () => {
    // The link counts for its own size (its target's length), as lstat gives it.
    assert.equal(await directorySize(root), 'inside'.length + outside.length);
    assert.equal(await directorySize(path.join(tmp, 'missing')), 0);
  });
});
