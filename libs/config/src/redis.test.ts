import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { redactRedisUrl, redisSettings } from './redis';

test('REDIS_URL forms: redis://, rediss:// (TLS), unix:// with the password as a parameter', () => {
  assert.deepEqual(redisSettings('redis://127.0.0.1:6379', {}), { host: '127.0.0.1', port: 6379 });
  assert.deepEqual(redisSettings('redis://:s%40cret@redis:6380/2', {}), { host: 'redis', port: 6380, password: 's@cret', db: 2 });
  assert.deepEqual(redisSettings('rediss://berth:pw@[::1]:6379', {}), { host: '::1', port: 6379, username: 'berth', password: 'pw', tls: {} });
  assert.deepEqual(redisSettings('unix:///run/berth/redis.sock', {}), { path: '/run/berth/redis.sock' });
  assert.deepEqual(redisSettings('unix:/r/redis.sock?user=berth&password=a%26b&db=1', {}), { path: '/r/redis.sock', username: 'berth', password: 'a&b', db: 1 });
  assert.throws(() => redisSettings('http://x', {}), /redis:\/\/, rediss:\/\/ or unix:\/\//);
});

test('the password from BERTH_REDIS_PASSWORD_FILE, the CA from BERTH_REDIS_TLS_CA', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-config-'));
  try {
    fs.writeFileSync(path.join(dir, 'pw'), 'from-file\n');
    fs.writeFileSync(path.join(dir, 'ca.pem'), 'CA');
    assert.equal(redisSettings('unix:///r.sock?user=berth', { BERTH_REDIS_PASSWORD_FILE: path.join(dir, 'pw') }).password, 'from-file');
    assert.throws(() => redisSettings('redis://:x@h:1', { BERTH_REDIS_PASSWORD_FILE: path.join(dir, 'pw') }), /one place/);
    assert.equal(redisSettings('rediss://h:1', { BERTH_REDIS_TLS_CA: path.join(dir, 'ca.pem') }).tls?.ca?.toString(), 'CA');
    assert.throws(() => redisSettings('redis://h:1', { BERTH_REDIS_TLS_CA: path.join(dir, 'ca.pem') }), /not rediss/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a password never reaches a log line', () => {
  assert.equal(redactRedisUrl('redis://:s3cret@h:6379/0'), 'redis://:***@h:6379/0');
  assert.equal(redactRedisUrl('rediss://berth:s3cret@h:6379'), 'rediss://berth:***@h:6379');
  assert.equal(redactRedisUrl('unix:///r.sock?user=berth&password=s3cret&db=1'), 'unix:///r.sock?user=berth&password=***&db=1');
  assert.equal(redactRedisUrl('unix:///r.sock'), 'unix:///r.sock');
});
