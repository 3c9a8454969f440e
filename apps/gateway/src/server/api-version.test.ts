import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { rewriteVersionedUrl, apiVersionOf, checkApiVersion } from './api-version';

const req = (url: string) => ({ url } as IncomingMessage);

test('strips the version prefix and remembers the version', () => {
  const r = req('/v1.41/volumes?filters=x');
  assert.equal(rewriteVersionedUrl(r), '/volumes?filters=x');
  assert.equal(apiVersionOf(r), '1.41');
  const u = req('/volumes');
  assert.equal(rewriteVersionedUrl(u), '/volumes');
  assert.equal(apiVersionOf(u), '1.50');
  assert.equal(rewriteVersionedUrl(req('/vx/volumes')), '/vx/volumes');
});

test('refuses versions outside 1.24..1.50 with dockerd wording', () => {
  const high = req('/v1.99/version'); rewriteVersionedUrl(high);
  assert.throws(() => checkApiVersion(high), /client version 1.99 is too new. Maximum supported API version is 1.50/);
  const low = req('/v1.12/version'); rewriteVersionedUrl(low);
  assert.throws(() => checkApiVersion(low), /client version 1.12 is too old. Minimum supported API version is 1.24/);
  for (const v of ['1.24', '1.41', '1.50']) {
    const ok = req(`/v${v}/version`); rewriteVersionedUrl(ok);
    checkApiVersion(ok);
  }
});
