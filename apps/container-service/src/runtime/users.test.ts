import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { resolveUser } from './users';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-users-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
fs.mkdirSync(path.join(root, 'etc'));
fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\napp:x:1000:1000::/srv/app:/bin/sh\n');
fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nwheel:x:10:app\nnogroup:x:65534:\napp:x:1000:\n');

describe('resolveUser', () => {
  test('names, numbers, groups, supplementary groups', () => {
    assert.deepEqual(resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [0], home: '/root' });
    assert.deepEqual(resolveUser(root, 'nobody'), { uid: 65534, gid: 65534, additionalGids: [65534], home: '/home' });
    assert.deepEqual(resolveUser(root, 'app'), { uid: 1000, gid: 1000, additionalGids: [1000, 10], home: '/srv/app' });
    assert.deepEqual(resolveUser(root, '1000:wheel'), { uid: 1000, gid: 10, additionalGids: [10], home: '/srv/app' });
    assert.deepEqual(resolveUser(root, '4321:99'), { uid: 4321, gid: 99, additionalGids: [99], home: '/' });
    assert.throws(() => resolveUser(root, 'ghost'), /unable to find user ghost: no matching entries in passwd file/);
    assert.throws(() => resolveUser(root, 'app:ghosts'), /unable to find group ghosts/);
  });

  test('a passwd symlink out of the root is not followed', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-users2-'));
    try {
      fs.mkdirSync(path.join(other, 'etc'));
      fs.symlinkSync('/etc/passwd', path.join(other, 'etc/passwd'));
      assert.throws(() => resolveUser(other, 'root2'), /unable to find user root2/);
      assert.equal(resolveUser(other, '').uid, 0);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  test('an absolute passwd symlink is followed inside the root, as the container sees it', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-users3-'));
    try {
      fs.mkdirSync(path.join(other, 'etc'));
      fs.mkdirSync(path.join(other, 'usr/lib'), { recursive: true });
      fs.writeFileSync(path.join(other, 'usr/lib/passwd'), 'app:x:1234:1234::/home/app:/bin/sh\n');
      fs.symlinkSync('/usr/lib/passwd', path.join(other, 'etc/passwd'));
      assert.equal(resolveUser(other, 'app').uid, 1234);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
