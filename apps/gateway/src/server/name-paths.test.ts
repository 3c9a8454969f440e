import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeNamePath } from './name-paths';

test('the image name of a per-image path becomes one segment; everything else is left alone', () => {
  const cases: [string, string, string][] = [
    ['GET', '/images/localhost:5000/a/b:tag/json', '/images/localhost:5000%2Fa%2Fb:tag/json'],
    ['GET', '/images/a/b/history?x=1', '/images/a%2Fb/history?x=1'],
    ['GET', '/images/a/b/get', '/images/a%2Fb/get'],
    ['POST', '/images/a/b/tag?repo=c/d&tag=1', '/images/a%2Fb/tag?repo=c/d&tag=1'],
    ['POST', '/images/registry:5000/a/push?tag=v1', '/images/registry:5000%2Fa/push?tag=v1'],
    // greedy, as dockerd's {name:.*}: the last segment is the endpoint
    ['GET', '/images/a/json/json', '/images/a%2Fjson/json'],
    // DELETE takes everything after /images/ as the name
    ['DELETE', '/images/a/b/json?force=1', '/images/a%2Fb%2Fjson?force=1'],
    ['DELETE', '/images/busybox', '/images/busybox'],
    ['GET', '/distribution/docker.io/library/busybox:latest/json', '/distribution/docker.io%2Flibrary%2Fbusybox:latest/json'],
    // no slash in the name, or not a per-image path: unchanged
    ['GET', '/images/busybox/json', '/images/busybox/json'],
    ['GET', '/images/json', '/images/json'],
    ['GET', '/images/get?names=a/b', '/images/get?names=a/b'],
    ['POST', '/images/create?fromImage=a/b', '/images/create?fromImage=a/b'],
    ['GET', '/images/a/b/nosuch', '/images/a/b/nosuch'],
    ['GET', '/containers/a/json', '/containers/a/json'],
    ['GET', '/_ping', '/_ping'],
  ];
  for (const [method, url, want] of cases) assert.equal(escapeNamePath(method, url), want, `${method} ${url}`);
});
