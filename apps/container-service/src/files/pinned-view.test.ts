import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PinnedView } from './pinned-view';
import { ScopedPathError, resolveInRoot } from './scoped-path';

let tmp: string;
let root: string;
let outside: string;
let volume: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pinned-test-'));
  root = path.join(tmp, 'root');
  outside = path.join(tmp, 'outside');
  volume = path.join(tmp, 'vol');
  fs.mkdirSync(path.join(root, 'd'), { recursive: true });
  fs.mkdirSync(path.join(root, 'data'));
  fs.writeFileSync(path.join(root, 'd/f'), 'inside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'f'), 'host');
  fs.writeFileSync(path.join(outside, 'secret'), 'host');
  fs.mkdirSync(volume);
  fs.writeFileSync(path.join(volume, 'v'), 'volume');
  fs.symlinkSync('/d', path.join(root, 'abs'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('resolveInRoot through a PinnedView', () => {
  test('resolves as by path, links against the root, mounts grafted', () => {
    const view = new PinnedView(root, [{ components: ['data'], source: volume }]);
    try {
      const r = resolveInRoot(root, '/abs/f', { followLast: true, pinned: view });
      assert.equal(r.containerPath, '/d/f');
      assert.equal(fs.readFileSync(r.host, 'utf8'), 'inside');
      const v = resolveInRoot(root, '/data/v', { pinned: view });
      assert.equal(fs.readFileSync(v.host, 'utf8'), 'volume');
      assert.throws(() => resolveInRoot(root, '/d/none', { pinned: view }), ScopedPathError);
    } finally {
      view.close();
    }
  });

  test('a directory swapped for a link to the host after the lookup still names the container file', () => {
    const view = new PinnedView(root);
    try {
      const r = resolveInRoot(root, '/d/f', { pinned: view });
      fs.renameSync(path.join(root, 'd'), path.join(root, 'moved'));
      fs.symlinkSync(outside, path.join(root, 'd'));
      assert.equal(fs.readFileSync(r.host, 'utf8'), 'inside');
    } finally {
      view.close();
    }
  });

  test('an entry below a directory that became a link to the host is not reached', () => {
    // What resolveInRoot meets when the swap lands between its lstat of d (a directory) and its look at d/secret.
    const view = new PinnedView(root);
    try {
      fs.renameSync(path.join(root, 'd'), path.join(root, 'moved'));
      fs.symlinkSync(outside, path.join(root, 'd'));
      assert.ok(fs.existsSync(path.join(root, 'd/secret')), 'by host path it would be the host file');
      assert.equal(view.at(['d', 'secret']), null);
    } finally {
      view.close();
    }
  });
});
