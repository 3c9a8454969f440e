import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateEncoding, pathStatHeader } from './container-files.controller';

test('Accept-Encoding negotiation as dockerd (gddo): best q, gzip on a tie, identity otherwise', () => {
  assert.equal(negotiateEncoding(undefined), 'identity');
  assert.equal(negotiateEncoding(''), 'identity');
  assert.equal(negotiateEncoding('gzip'), 'gzip');
  assert.equal(negotiateEncoding('deflate'), 'deflate');
  assert.equal(negotiateEncoding('deflate, gzip'), 'gzip');
  assert.equal(negotiateEncoding('gzip;q=0.5, deflate'), 'deflate');
  assert.equal(negotiateEncoding('*'), 'gzip');
  assert.equal(negotiateEncoding('gzip;q=0'), 'identity');
  assert.equal(negotiateEncoding('br, identity'), 'identity');
});

test('the path stat header is base64 of dockerd\'s JSON, Go escaping included', () => {
  const header = pathStatHeader({ name: 'a&<b>', size: 13, mode: 420, mtime: '2026-11-29T03:24:02.370357931Z', linkTarget: '' });
  assert.equal(Buffer.from(header, 'base64').toString(), '{"name":"a\\u0026\\u003cb\\u003e","size":13,"mode":420,"mtime":"2026-11-29T03:24:02.370357931Z","linkTarget":""}');
  // What dockerd 20.10 sent for /etc/hostname of a container.
  assert.equal(
    pathStatHeader({ name: 'hostname', size: 13, mode: 420, mtime: '2026-11-29T03:24:02.370357931Z', linkTarget: '' }),
    'eyJuYW1lIjoiaG9zdG5hbWUiLCJzaXplIjoxMywibW9kZSI6NDIwLCJtdGltZSI6IjIwMjYtMTEtMjlUMDM6MjQ6MDIuMzcwMzU3OTMxWiIsImxpbmtUYXJnZXQiOiIifQ==',
  );
});
