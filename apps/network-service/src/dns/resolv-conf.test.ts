import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { containerResolvConf } from './resolv-conf';

test('routable nameservers, search and options are kept as they are', () => {
  const host = '# comment\nsearch example.com corp\nnameserver 10.255.255.53\noptions ndots:2 edns0\n';
  assert.equal(containerResolvConf(host), host);
});

test('loopback nameservers are removed', () => {
  assert.equal(
    containerResolvConf('nameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver ::1\nsearch lan\n'),
    'nameserver 10.0.0.1\nsearch lan\n',
  );
});

test("IPv6 nameservers are removed: the default bridge has no IPv6, like dockerd's without --ipv6", () => {
  assert.equal(containerResolvConf('nameserver fd00::1\nnameserver 192.168.1.1\n'), 'nameserver 192.168.1.1\n');
});

test("with no usable nameserver left, Google's are appended (dockerd's fallback) and search/options stay", () => {
  assert.equal(
    containerResolvConf('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n'),
    'options edns0 trust-ad\nsearch .\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n',
  );
  assert.equal(containerResolvConf('nameserver 0:0:0:0:0:0:0:1\n'), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
});

test('an empty or missing host file gives the fallback servers only', () => {
  assert.equal(containerResolvConf(''), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
});

test('a file without a final newline gets one', () => {
  assert.equal(containerResolvConf('nameserver 1.1.1.1'), 'nameserver 1.1.1.1\n');
});
