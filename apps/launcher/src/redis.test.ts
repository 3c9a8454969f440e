import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pingRedis, privateRedisSpec, privateRedisUrl, startPrivateRedis, waitForRedis } from './redis';

const haveRedis = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((p) => fs.existsSync(p));

test('the private redis listens only on a unix socket and keeps an append-only file', () => {
  const spec = privateRedisSpec({ dataRoot: '/d', runRoot: '/r' });
  assert.equal(spec.command, 'redis-server');
  const arg = (name: string) => spec.args[spec.args.indexOf(name) + 1];
  assert.equal(arg('--port'), '0');
  assert.equal(arg('--unixsocket'), '/r/redis/redis.sock');
  assert.equal(arg('--unixsocketperm'), '600');
  assert.equal(arg('--dir'), '/d/redis');
  assert.equal(arg('--appendonly'), 'yes');
  assert.equal(arg('--save'), '');
  assert.equal(arg('--daemonize'), 'no');
  assert.equal(privateRedisUrl('/r'), 'unix:///r/redis/redis.sock');
});

test('starts, answers PING, stops on SIGTERM', { skip: !haveRedis && 'redis-server is not installed' }, async () => {
  // Short path: unix sockets must stay under 108 bytes.
  const root = fs.mkdtempSync('/tmp/redis-t-');
  try {
    const redis = startPrivateRedis({ dataRoot: path.join(root, 'data'), runRoot: root }, () => {});
    try {
      await waitForRedis(privateRedisUrl(root), Date.now() + 10_000);
      assert.equal(await pingRedis(privateRedisUrl(root), 1000), true);
      assert.ok(fs.existsSync(path.join(root, 'data', 'redis')));
      assert.equal(fs.statSync(path.join(root, 'redis')).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(root, 'redis', 'redis.sock')).mode & 0o777, 0o600);
    } finally {
      const exit = await redis.stop(5000);
      assert.equal(exit.code, 0);
    }
    await assert.rejects(pingRedis(privateRedisUrl(root), 500));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the private redis is the launcher user\'s alone: another user cannot connect to its socket', { skip: (!haveRedis && 'redis-server is not installed') || (process.getuid?.() !== 0 && 'needs root to run a client as nobody') }, async () => {
  const root = fs.mkdtempSync('/tmp/redis-t-');
  // As the real run root: others may traverse it, to reach what is meant for them.
  fs.chmodSync(root, 0o711);
  try {
    const redis = startPrivateRedis({ dataRoot: path.join(root, 'data'), runRoot: root }, () => {});
    try {
      await waitForRedis(privateRedisUrl(root), Date.now() + 10_000);
      assert.equal(fs.statSync(path.join(root, 'redis', 'redis.sock')).mode & 0o077, 0, 'no access for group or others');
      // A client running as nobody: connecting to a unix socket needs write permission on it.
      const script = `require('net').connect(${JSON.stringify(path.join(root, 'redis', 'redis.sock'))}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
      const out = execFileSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' }).trim();
      assert.equal(out, 'EACCES');
    } finally {
      await redis.stop(5000);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
