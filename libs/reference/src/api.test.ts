import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  type ImageReference,
  InvalidReferenceError,
  canonicalString,
  familiarName,
  familiarString,
  fullName,
  isFullImageId,
  InsecureRegistries,
  parseReference,
  registryHost,
  validateTag,
  withDefaultTag,
} from './index';

const HEX = '0123456789abcdef'.repeat(4);

// The surface the image service is written against, table by table.
describe('image service API', () => {
  const cases: Array<[string, ImageReference, string, string, string]> = [
    // input, parsed, canonical (with default tag), familiar (with default tag), familiarName
    ['busybox', { domain: 'docker.io', path: 'library/busybox' }, 'docker.io/library/busybox:latest', 'busybox:latest', 'busybox'],
    ['user/app:1', { domain: 'docker.io', path: 'user/app', tag: '1' }, 'docker.io/user/app:1', 'user/app:1', 'user/app'],
    ['localhost:5000/x', { domain: 'localhost:5000', path: 'x' }, 'localhost:5000/x:latest', 'localhost:5000/x:latest', 'localhost:5000/x'],
    ['127.0.0.1:5000/busybox:1.36', { domain: '127.0.0.1:5000', path: 'busybox', tag: '1.36' }, '127.0.0.1:5000/busybox:1.36', '127.0.0.1:5000/busybox:1.36', '127.0.0.1:5000/busybox'],
    [`busybox@sha256:${HEX}`, { domain: 'docker.io', path: 'library/busybox', digest: `sha256:${HEX}` }, `docker.io/library/busybox@sha256:${HEX}`, `busybox@sha256:${HEX}`, 'busybox'],
    [`busybox:1@sha256:${HEX}`, { domain: 'docker.io', path: 'library/busybox', tag: '1', digest: `sha256:${HEX}` }, `docker.io/library/busybox:1@sha256:${HEX}`, `busybox:1@sha256:${HEX}`, 'busybox'],
  ];
  for (const [input, parsed, canonical, familiar, name] of cases) {
    it(input, () => {
      const ref = parseReference(input);
      assert.deepEqual(ref, parsed);
      assert.equal(canonicalString(withDefaultTag(ref)), canonical);
      assert.equal(familiarString(withDefaultTag(ref)), familiar);
      assert.equal(familiarName(ref), name);
      assert.equal(fullName(ref), canonical.replace(/[:@][^/]*$/, '').replace(/:[^/:]*$/, ''));
    });
  }

  const invalid: Array<[string, string]> = [
    ['', 'invalid reference format'],
    [':tag', 'invalid reference format'],
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['busybox@sha256:xyz', 'invalid reference format'],
    [`busybox@sha256:${HEX}0`, 'invalid checksum digest length'],
    [`x/${'a'.repeat(254)}`, 'repository name must not be more than 255 characters'],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
      assert.throws(() => parseReference(input), (err: unknown) => err instanceof InvalidReferenceError && err.message === message);
    });
  }

  it('fullName', () => {
    assert.equal(fullName(parseReference('busybox:1')), 'docker.io/library/busybox');
  });

  it('isFullImageId', () => {
    assert.equal(isFullImageId(HEX), true);
    assert.equal(isFullImageId(`sha256:${HEX}`), true);
    assert.equal(isFullImageId(`sha512:${HEX}`), false);
    assert.equal(isFullImageId(HEX.slice(1)), false);
    assert.equal(isFullImageId(HEX.toUpperCase()), false);
  });

  it('validateTag', () => {
    assert.equal(validateTag('1.36'), '1.36');
    assert.equal(validateTag('v_1-rc.2'), 'v_1-rc.2');
    for (const bad of ['', '-x', '.x', 'a:b', 'a/b', 'x'.repeat(129)]) {
      assert.throws(() => validateTag(bad), (err: unknown) => err instanceof InvalidReferenceError && err.message === 'invalid tag format', bad);
    }
  });

  it('registryHost and InsecureRegistries', () => {
    assert.equal(registryHost(parseReference('busybox')), 'registry-1.docker.io');
    assert.equal(registryHost(parseReference('127.0.0.1:5000/x')), '127.0.0.1:5000');
    const none = new InsecureRegistries();
    for (const h of ['127.0.0.1', '127.0.0.1:5000', '127.5.6.7:80', '[::1]:5000', '::1', 'localhost', 'localhost:5000']) {
      assert.equal(none.isInsecure(h), true, h);
    }
    for (const h of ['registry-1.docker.io', '10.0.0.1:5000', 'myreg:5000']) assert.equal(none.isInsecure(h), false, h);
    assert.equal(new InsecureRegistries(['myreg:5000']).isInsecure('myreg:5000'), true);
    assert.equal(new InsecureRegistries(['10.0.0.0/8']).isInsecure('10.1.2.3:5000'), true);
  });
});
