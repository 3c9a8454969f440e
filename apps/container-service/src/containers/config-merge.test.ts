import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOf, mergeImageConfig } from './config-merge';

const image = {
  Env: ['PATH=/usr/bin:/bin', 'A=image'],
  Cmd: ['sh'],
  Labels: { k: 'image', only: 'image' },
  WorkingDir: '/srv',
  User: 'nobody',
  ExposedPorts: { '80/tcp': {} },
  Volumes: { '/data': {} },
  StopSignal: 'SIGQUIT',
};

describe('mergeImageConfig', () => {
  test('the image fills everything the request leaves out', () => {
    const c = mergeImageConfig({ Image: 'busybox' }, image);
    assert.deepEqual(c.Cmd, ['sh']);
    assert.equal(c.Entrypoint, null);
    assert.deepEqual(c.Env, ['PATH=/usr/bin:/bin', 'A=image']);
    assert.deepEqual(c.Labels, { k: 'image', only: 'image' });
    assert.equal(c.WorkingDir, '/srv');
    assert.equal(c.User, 'nobody');
    assert.deepEqual(c.ExposedPorts, { '80/tcp': {} });
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.equal(c.StopSignal, 'SIGQUIT');
  });

  test('the request wins key by key', () => {
    const c = mergeImageConfig({
      Cmd: ['echo', 'hi'], Env: ['A=b', 'B=c'], Labels: { k: 'v' }, WorkingDir: '/w', User: 'root', ExposedPorts: { '443/tcp': {} }, StopSignal: 'SIGTERM',
    }, image);
    assert.deepEqual(c.Cmd, ['echo', 'hi']);
    // dockerd keeps the request's variables first and appends the image's others.
    assert.deepEqual(c.Env, ['A=b', 'B=c', 'PATH=/usr/bin:/bin']);
    assert.deepEqual(c.Labels, { k: 'v', only: 'image' });
    assert.equal(c.WorkingDir, '/w');
    assert.equal(c.User, 'root');
    assert.deepEqual(Object.keys(c.ExposedPorts ?? {}).sort(), ['443/tcp', '80/tcp']);
    assert.equal(c.StopSignal, 'SIGTERM');
  });

  test("an entrypoint in the request drops the image's command", () => {
    const c = mergeImageConfig({ Entrypoint: ['top'] }, { ...image, Entrypoint: ['/init'] });
    assert.deepEqual(c.Entrypoint, ['top']);
    assert.equal(c.Cmd, undefined);
  });

  test("a command in the request keeps the image's entrypoint", () => {
    const c = mergeImageConfig({ Cmd: ['-v'] }, { ...image, Entrypoint: ['/init'] });
    assert.deepEqual(c.Entrypoint, ['/init']);
    assert.deepEqual(commandOf(c), { path: '/init', args: ['-v'] });
  });

  test('healthcheck fields fill from the image', () => {
    const c = mergeImageConfig({ Healthcheck: { Test: ['CMD', 'true'] } }, { Healthcheck: { Test: ['NONE'], Interval: 5, Retries: 3 } });
    assert.deepEqual(c.Healthcheck, { Test: ['CMD', 'true'], Interval: 5, Retries: 3 });
  });

  test('without an image config the request stands alone', () => {
    assert.deepEqual(mergeImageConfig({ Cmd: ['x'] }, null), { Cmd: ['x'] });
  });
});
