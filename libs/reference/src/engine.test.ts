import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  InvalidReferenceError,
  ReservedNameError,
  familiarString,
  pullReference,
  referenceString,
  repoTagReference,
  splitRepositoryTag,
  tagReference,
} from './index';

const DIGEST = `sha256:${'b'.repeat(64)}`;

describe('pullReference (POST /images/create?fromImage=&tag=)', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['busybox', undefined, 'docker.io/library/busybox'],
    ['busybox', '', 'docker.io/library/busybox'],
    ['busybox', '1.36', 'docker.io/library/busybox:1.36'],
    ['busybox:', '', 'docker.io/library/busybox'],
    ['busybox:1.35', '1.36', 'docker.io/library/busybox:1.36'],
    ['busybox', DIGEST, `docker.io/library/busybox@${DIGEST}`],
    ['busybox:1', DIGEST, `docker.io/library/busybox@${DIGEST}`],
    ['localhost:5000/x', 'v2', 'localhost:5000/x:v2'],
    [`busybox@${DIGEST}`, undefined, `docker.io/library/busybox@${DIGEST}`],
  ];
  for (const [fromImage, tag, want] of cases) {
    it(`${fromImage} + ${String(tag)}`, () => assert.equal(referenceString(pullReference(fromImage, tag)), want));
  }

  it('refuses bad input with Docker wording', () => {
    assert.throws(() => pullReference('busybox', 'bad tag'), (e: Error) => e instanceof InvalidReferenceError && e.message === 'invalid tag format');
    assert.throws(() => pullReference('Busybox', '1'), /invalid reference format: repository name \(library\/Busybox\) must be lowercase/);
    assert.throws(() => pullReference('scratch'), (e: Error) => e instanceof ReservedNameError && e.message === "'scratch' is a reserved name" && e.statusCode === 403);
    assert.throws(() => pullReference('library/scratch', 'latest'), ReservedNameError);
  });
});

describe('repoTagReference (import, commit, build -t)', () => {
  it('defaults the tag and refuses digests', () => {
    assert.equal(repoTagReference('', 'x'), null);
    assert.equal(repoTagReference(undefined), null);
    assert.equal(familiarString(repoTagReference('myimg')!), 'myimg:latest');
    assert.equal(familiarString(repoTagReference('user/img', 'v1')!), 'user/img:v1');
    assert.equal(familiarString(repoTagReference('user/img:v0', 'v1')!), 'user/img:v1');
    assert.equal(familiarString(repoTagReference('user/img:v0')!), 'user/img:v0');
    assert.throws(() => repoTagReference(`img@${DIGEST}`), /^InvalidReferenceError: cannot import digest reference$/);
    assert.throws(() => repoTagReference('img', '-x'), /invalid tag format/);
  });
});

describe('tagReference (POST /images/{name}/tag?repo=&tag=)', () => {
  const ok: Array<[string, string | undefined, string]> = [
    ['myrepo', 'v1', 'myrepo:v1'],
    ['myrepo', undefined, 'myrepo:latest'],
    ['localhost:5000/team/app', '1.0', 'localhost:5000/team/app:1.0'],
    ['sha256x', 'v1', 'sha256x:v1'],
    ['user/sha256', 'v1', 'user/sha256:v1'],
  ];
  for (const [repo, tag, want] of ok) {
    it(`${repo} ${String(tag)}`, () => assert.equal(familiarString(tagReference(repo, tag)!), want));
  }

  it('refuses a repository named like a digest algorithm', () => {
    for (const [repo, tag] of [['sha256', 'abc'], ['sha256', undefined], ['library/sha256', 'x']] as const) {
      assert.throws(() => tagReference(repo, tag), (e: Error) =>
        e instanceof InvalidReferenceError && e.message === 'refusing to create an ambiguous tag using digest algorithm as name');
    }
  });

  it('refuses invalid names and tags', () => {
    assert.throws(() => tagReference('My/Repo', 'x'), /must be lowercase/);
    assert.throws(() => tagReference('repo', 'a:b'), /invalid tag format/);
    assert.throws(() => tagReference('repo', 'x'.repeat(129)), /invalid tag format/);
    assert.equal(tagReference('', 'x'), null);
  });
});

describe('splitRepositoryTag', () => {
  const cases: Array<[string, ReturnType<typeof splitRepositoryTag>]> = [
    ['busybox', { repository: 'busybox' }],
    ['busybox:1.36', { repository: 'busybox', tag: '1.36' }],
    ['localhost:5000/x', { repository: 'localhost:5000/x' }],
    ['localhost:5000/x:t', { repository: 'localhost:5000/x', tag: 't' }],
    [`x@${DIGEST}`, { repository: 'x', digest: DIGEST }],
    ['busybox:', { repository: 'busybox', tag: '' }],
  ];
  for (const [input, want] of cases) {
    it(input, () => assert.deepEqual(splitRepositoryTag(input), want));
  }
});
