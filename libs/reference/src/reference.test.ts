import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  InvalidReferenceError,
  type Reference,
  familiarMatch,
  familiarName,
  familiarString,
  fullName,
  isDigest,
  isFullId,
  isNamed,
  parseAnyReference,
  parseCanonicalReference,
  parseDigest,
  parseDockerRef,
  parseReference,
  pathMatch,
  referenceString,
  string as refString,
  withDefaultTag,
  withDigest,
  withName,
  withTag,
} from './index';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;

describe('parseReference: valid references', () => {
  const cases: Array<[string, Reference, string, string]> = [
    // input, parsed, familiarString, canonical string
    ['busybox', { domain: 'docker.io', path: 'library/busybox' }, 'busybox', 'docker.io/library/busybox'],
    ['busybox:1.36', { domain: 'docker.io', path: 'library/busybox', tag: '1.36' }, 'busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['user/app', { domain: 'docker.io', path: 'user/app' }, 'user/app', 'docker.io/user/app'],
    ['user/app:1', { domain: 'docker.io', path: 'user/app', tag: '1' }, 'user/app:1', 'docker.io/user/app:1'],
    ['library/debian', { domain: 'docker.io', path: 'library/debian' }, 'debian', 'docker.io/library/debian'],
    ['docker.io/debian', { domain: 'docker.io', path: 'library/debian' }, 'debian', 'docker.io/library/debian'],
    ['docker.io/library/debian', { domain: 'docker.io', path: 'library/debian' }, 'debian', 'docker.io/library/debian'],
    ['index.docker.io/debian', { domain: 'docker.io', path: 'library/debian' }, 'debian', 'docker.io/library/debian'],
    ['index.docker.io/docker/docker', { domain: 'docker.io', path: 'docker/docker' }, 'docker/docker', 'docker.io/docker/docker'],
    ['docker.io/library/a/b', { domain: 'docker.io', path: 'library/a/b' }, 'library/a/b', 'docker.io/library/a/b'],
    ['localhost/x', { domain: 'localhost', path: 'x' }, 'localhost/x', 'localhost/x'],
    ['localhost:5000/x', { domain: 'localhost:5000', path: 'x' }, 'localhost:5000/x', 'localhost:5000/x'],
    ['127.0.0.1:5000/busybox:1.36', { domain: '127.0.0.1:5000', path: 'busybox', tag: '1.36' }, '127.0.0.1:5000/busybox:1.36', '127.0.0.1:5000/busybox:1.36'],
    ['127.0.0.1:5000/x:tag', { domain: '127.0.0.1:5000', path: 'x', tag: 'tag' }, '127.0.0.1:5000/x:tag', '127.0.0.1:5000/x:tag'],
    ['192.168.0.1', { domain: 'docker.io', path: 'library/192.168.0.1' }, '192.168.0.1', 'docker.io/library/192.168.0.1'],
    ['192.168.0.1:80', { domain: 'docker.io', path: 'library/192.168.0.1', tag: '80' }, '192.168.0.1:80', 'docker.io/library/192.168.0.1:80'],
    ['192.168.0.2:25000/debian', { domain: '192.168.0.2:25000', path: 'debian' }, '192.168.0.2:25000/debian', '192.168.0.2:25000/debian'],
    ['[::1]:5000/busybox:1', { domain: '[::1]:5000', path: 'busybox', tag: '1' }, '[::1]:5000/busybox:1', '[::1]:5000/busybox:1'],
    ['[2001:db8::1]/app', { domain: '[2001:db8::1]', path: 'app' }, '[2001:db8::1]/app', '[2001:db8::1]/app'],
    ['Asdf.com/foo/bar', { domain: 'Asdf.com', path: 'foo/bar' }, 'Asdf.com/foo/bar', 'Asdf.com/foo/bar'],
    ['FOO/bar', { domain: 'FOO', path: 'bar' }, 'FOO/bar', 'FOO/bar'],
    ['xn--n3h.com/myimage', { domain: 'xn--n3h.com', path: 'myimage' }, 'xn--n3h.com/myimage', 'xn--n3h.com/myimage'],
    ['b.gcr.io/test.example.com/my-app', { domain: 'b.gcr.io', path: 'test.example.com/my-app' }, 'b.gcr.io/test.example.com/my-app', 'b.gcr.io/test.example.com/my-app'],
    ['registry.io/foo/project--id.module--name.ver---sion--name', { domain: 'registry.io', path: 'foo/project--id.module--name.ver---sion--name' }, 'registry.io/foo/project--id.module--name.ver---sion--name', 'registry.io/foo/project--id.module--name.ver---sion--name'],
    ['example.com/some_separator__underscore/myimage', { domain: 'example.com', path: 'some_separator__underscore/myimage' }, 'example.com/some_separator__underscore/myimage', 'example.com/some_separator__underscore/myimage'],
    ['do__cker/docker', { domain: 'docker.io', path: 'do__cker/docker' }, 'do__cker/docker', 'docker.io/do__cker/docker'],
    ['a.b_c-d__e', { domain: 'docker.io', path: 'library/a.b_c-d__e' }, 'a.b_c-d__e', 'docker.io/library/a.b_c-d__e'],
    [`busybox@${DIGEST}`, { domain: 'docker.io', path: 'library/busybox', digest: DIGEST }, `busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`],
    [`busybox:1.36@${DIGEST}`, { domain: 'docker.io', path: 'library/busybox', tag: '1.36', digest: DIGEST }, `busybox:1.36@${DIGEST}`, `docker.io/library/busybox:1.36@${DIGEST}`],
    [`localhost:5000/x:t@${DIGEST}`, { domain: 'localhost:5000', path: 'x', tag: 't', digest: DIGEST }, `localhost:5000/x:t@${DIGEST}`, `localhost:5000/x:t@${DIGEST}`],
    [`x@sha512:${'b'.repeat(128)}`, { domain: 'docker.io', path: 'library/x', digest: `sha512:${'b'.repeat(128)}` }, `x@sha512:${'b'.repeat(128)}`, `docker.io/library/x@sha512:${'b'.repeat(128)}`],
    ['busybox:Latest_1.0-rc', { domain: 'docker.io', path: 'library/busybox', tag: 'Latest_1.0-rc' }, 'busybox:Latest_1.0-rc', 'docker.io/library/busybox:Latest_1.0-rc'],
    [`busybox:${'t'.repeat(128)}`, { domain: 'docker.io', path: 'library/busybox', tag: 't'.repeat(128) }, `busybox:${'t'.repeat(128)}`, `docker.io/library/busybox:${'t'.repeat(128)}`],
    ['a'.repeat(247), { domain: 'docker.io', path: `library/${'a'.repeat(247)}` }, 'a'.repeat(247), `docker.io/library/${'a'.repeat(247)}`],
  ];
  for (const [input, want, familiar, canonical] of cases) {
    it(input.length > 80 ? `${input.slice(0, 60)}…` : input, () => {
      const ref = parseReference(input);
      assert.deepEqual(ref, want);
      assert.equal(familiarString(ref), familiar);
      assert.equal(referenceString(ref), canonical);
      assert.equal(refString(ref), canonical);
      // Familiar and canonical strings parse back to the same reference.
      assert.deepEqual(parseReference(familiar), want);
      assert.deepEqual(parseReference(canonical), want);
    });
  }
});

describe('parseReference: invalid references', () => {
  const cases: Array<[string, string]> = [
    ['', 'invalid reference format'],
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['library/Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['docker.io/docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['Foo/FooBar', 'invalid reference format: repository name (FooBar) must be lowercase'],
    ['busybox:', 'invalid reference format'],
    ['busybox:-tag', 'invalid reference format'],
    ['busybox:.tag', 'invalid reference format'],
    [`busybox:${'t'.repeat(129)}`, 'invalid reference format'],
    ['busybox@', 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format'],
    [`busybox@sha256:${'a'.repeat(32)}`, 'invalid checksum digest length'],
    [`busybox@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`busybox@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    // ParseNormalizedNamed checks case up to the first ':', digest included.
    [`busybox@Sha256:${'a'.repeat(64)}`, 'invalid reference format: repository name (library/busybox@Sha256) must be lowercase'],
    [`localhost:5000/x:t@Sha256:${'a'.repeat(64)}`, 'invalid checksum digest format'],
    ['https://github.com/docker/docker', 'invalid reference format'],
    ['-docker', 'invalid reference format'],
    ['-docker/docker', 'invalid reference format'],
    ['-docker.io/docker/docker', 'invalid reference format'],
    ['docker///docker', 'invalid reference format'],
    ['docker.io/docker///docker', 'invalid reference format'],
    ['docker./docker', 'invalid reference format'],
    ['.docker/docker', 'invalid reference format'],
    ['docker-/docker', 'invalid reference format'],
    ['do..cker/docker', 'invalid reference format'],
    ['do__cker:8080/docker', 'invalid reference format'],
    ['example.com/__underscore/myimage', 'invalid reference format'],
    ['example.com/..dots/myimage', 'invalid reference format'],
    ['example.com/.dots/myimage', 'invalid reference format'],
    ['example.com/nodouble..dots/myimage', 'invalid reference format'],
    ['example.com/trailing-/myimage', 'invalid reference format'],
    ['example.com/a___b', 'invalid reference format'],
    ['localhost:port/x', 'invalid reference format'],
    ['[fe80::1%eth0]:5000/x', 'invalid reference format'],
    ['[::1/x', 'invalid reference format'],
    ['busy box', 'invalid reference format'],
    ['busybox:1:2', 'invalid reference format'],
    ['a'.repeat(248), 'repository name must not be more than 255 characters'],
    [HEX, `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`],
  ];
  for (const [input, message] of cases) {
    it(JSON.stringify(input.length > 60 ? `${input.slice(0, 50)}…` : input), () => {
      assert.throws(() => parseReference(input), (err: unknown) => {
        assert.ok(err instanceof InvalidReferenceError);
        assert.equal(err.message, message);
        assert.equal(err.statusCode, 400);
        return true;
      });
    });
  }

  it('stays fast on pathological input', () => {
    const inputs = [
      `${'a'.repeat(20000)}!`,
      `${'a-'.repeat(10000)}!`,
      `${'a.'.repeat(10000)}/x!`,
      `${'a1-'.repeat(5000)}.${'b'.repeat(5000)}/c:!`,
      `x/${'a__'.repeat(8000)}`,
    ];
    const started = Date.now();
    for (const s of inputs) assert.throws(() => parseReference(s), InvalidReferenceError);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });
});

describe('names and strings', () => {
  it('fullName and familiarName', () => {
    const cases: Array<[string, string, string]> = [
      ['busybox', 'docker.io/library/busybox', 'busybox'],
      ['user/app:1', 'docker.io/user/app', 'user/app'],
      ['127.0.0.1:5000/x:tag', '127.0.0.1:5000/x', '127.0.0.1:5000/x'],
      ['docker.io/library/a/b', 'docker.io/library/a/b', 'library/a/b'],
    ];
    for (const [input, full, familiar] of cases) {
      const ref = parseReference(input);
      assert.equal(fullName(ref), full, input);
      assert.equal(familiarName(ref), familiar, input);
    }
  });

  it('withDefaultTag adds latest only to name-only references', () => {
    assert.equal(familiarString(withDefaultTag(parseReference('busybox'))), 'busybox:latest');
    assert.equal(referenceString(withDefaultTag(parseReference('busybox'))), 'docker.io/library/busybox:latest');
    assert.equal(familiarString(withDefaultTag(parseReference('busybox:1'))), 'busybox:1');
    assert.equal(familiarString(withDefaultTag(parseReference(`busybox@${DIGEST}`))), `busybox@${DIGEST}`);
  });

  it('parseDockerRef adds latest and prefers the digest', () => {
    assert.equal(referenceString(parseDockerRef('busybox')), 'docker.io/library/busybox:latest');
    assert.equal(referenceString(parseDockerRef('user/app:2')), 'docker.io/user/app:2');
    assert.equal(referenceString(parseDockerRef(`busybox:1@${DIGEST}`)), `docker.io/library/busybox@${DIGEST}`);
  });

  it('parseCanonicalReference accepts only the canonical form', () => {
    assert.deepEqual(parseCanonicalReference('docker.io/library/busybox:1'), { domain: 'docker.io', path: 'library/busybox', tag: '1' });
    assert.throws(() => parseCanonicalReference('busybox'), /repository name must be canonical/);
    assert.throws(() => parseCanonicalReference('docker.io/busybox'), /repository name must be canonical/);
  });

  it('withTag, withDigest, withName validate', () => {
    const ref = parseReference('busybox');
    assert.equal(familiarString(withTag(ref, 'v1')), 'busybox:v1');
    assert.throws(() => withTag(ref, 'bad tag'), /^InvalidReferenceError: invalid tag format$/);
    assert.throws(() => withTag(ref, ''), /invalid tag format/);
    assert.equal(familiarString(withDigest(withTag(ref, 'v1'), DIGEST)), `busybox:v1@${DIGEST}`);
    assert.equal(familiarString(withTag(withDigest(ref, DIGEST), 'v2')), `busybox:v2@${DIGEST}`);
    assert.throws(() => withDigest(ref, 'sha256:xyz'), /^InvalidReferenceError: invalid digest format$/);
    assert.deepEqual(withName('localhost:5000/a/b'), { domain: 'localhost:5000', path: 'a/b' });
    assert.deepEqual(withName('a/b'), { domain: 'a', path: 'b' });
    assert.throws(() => withName('A/B'), /invalid reference format/);
  });
});

describe('digests and ids', () => {
  it('isDigest on strings and references', () => {
    assert.equal(isDigest(DIGEST), true);
    assert.equal(isDigest(`sha384:${'0'.repeat(96)}`), true);
    assert.equal(isDigest('sha256:abc'), false);
    assert.equal(isDigest(HEX), false);
    assert.equal(isDigest(`SHA256:${HEX}`), false);
    assert.equal(isDigest(parseReference(`busybox@${DIGEST}`)), true);
    assert.equal(isDigest(parseReference('busybox:1')), false);
  });

  it('isFullId', () => {
    assert.equal(isFullId(HEX), true);
    assert.equal(isFullId('0123456789abcdef'.repeat(4)), true);
    assert.equal(isFullId('A'.repeat(64)), false);
    assert.equal(isFullId('a'.repeat(63)), false);
    assert.equal(isFullId(DIGEST), false);
  });

  it('parseDigest reports go-digest errors', () => {
    assert.equal(parseDigest(DIGEST), DIGEST);
    const cases: Array<[string, string]> = [
      ['sha256', 'invalid checksum digest format'],
      ['sha256:', 'invalid checksum digest format'],
      [':abc', 'invalid checksum digest format'],
      ['sha256:abc', 'invalid checksum digest length'],
      [`sha256:${'g'.repeat(64)}`, 'invalid checksum digest format'],
      [`foo:${HEX}`, 'unsupported digest algorithm'],
      [`Foo:${HEX}`, 'invalid checksum digest format'],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => parseDigest(input), (err: Error) => err.message === message, input);
    }
  });

  it('parseAnyReference', () => {
    assert.deepEqual(parseAnyReference(HEX), { digest: DIGEST });
    assert.deepEqual(parseAnyReference(DIGEST), { digest: DIGEST });
    const named = parseAnyReference('busybox:1');
    assert.ok(isNamed(named));
    assert.equal(familiarString(named), 'busybox:1');
    assert.ok(!isNamed(parseAnyReference(DIGEST)));
    assert.throws(() => parseAnyReference('Bad'), /must be lowercase/);
  });
});

describe('familiarMatch', () => {
  const cases: Array<[string, string, boolean]> = [
    ['busybox', 'busybox', true],
    ['busybox', 'busybox:latest', true],
    ['busybox:latest', 'busybox:latest', true],
    ['busybox:1', 'busybox:latest', false],
    ['busy*', 'busybox:latest', true],
    ['*', 'user/app:1', false],
    ['*/*', 'user/app:1', true],
    ['user/*:1', 'user/app:1', true],
    ['user/app:?', 'user/app:1', true],
    ['user/app:[0-9]', 'user/app:1', true],
    ['user/app:[^0-9]', 'user/app:1', false],
    ['127.0.0.1:5000/*', '127.0.0.1:5000/x:tag', true],
    ['docker.io/library/busybox', 'busybox', false],
  ];
  for (const [pattern, refText, want] of cases) {
    it(`${pattern} ~ ${refText}`, () => {
      assert.equal(familiarMatch(pattern, parseReference(refText)), want);
    });
  }
  it('path.Match details', () => {
    assert.equal(pathMatch('a\\*b', 'a*b'), true);
    assert.equal(pathMatch('a\\*b', 'axb'), false);
    assert.equal(pathMatch('[a-c]x', 'bx'), true);
    assert.throws(() => pathMatch('[]a]', ']'), /syntax error in pattern/);
    assert.throws(() => pathMatch('[', 'a'), /syntax error in pattern/);
    assert.throws(() => pathMatch('a\\', 'a'), /syntax error in pattern/);
    assert.throws(() => pathMatch('[z-a]', 'b'), /syntax error in pattern/);
  });
});
