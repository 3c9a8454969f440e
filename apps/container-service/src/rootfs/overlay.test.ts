import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MOUNT_DATA_LIMIT, mountOverlay, overlayOptions } from './overlay';

test('overlay options: lower dirs top first, separators escaped', () => {
  assert.equal(
    overlayOptions({ lowerDirs: ['/l/top', '/l/base'], upperDir: '/c/upper', workDir: '/c/work' }),
    'lowerdir=/l/top:/l/base,upperdir=/c/upper,workdir=/c/work',
  );
  assert.equal(overlayOptions({ lowerDirs: ['/l/a:b,c'], upperDir: '/u', workDir: '/w' }), 'lowerdir=/l/a\\:b\\,c,upperdir=/u,workdir=/w');
  assert.throws(() => overlayOptions({ lowerDirs: [], upperDir: '/u', workDir: '/w' }), /at least one lower/);
});

test('an option string over a page is refused before mount(2)', async () => {
  const lowerDirs = Array.from({ length: 200 }, (_v, i) => `/var/lib/berth/image-service/layers/${'x'.repeat(20)}${i}/diff`);
  await assert.rejects(mountOverlay({ lowerDirs, upperDir: '/nonexistent/u', workDir: '/nonexistent/w', target: '/nonexistent/t' }), /page-size limit/);
  assert.ok(MOUNT_DATA_LIMIT < 4096);
});
