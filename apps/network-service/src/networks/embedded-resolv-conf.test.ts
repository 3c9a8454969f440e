import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { embeddedResolvConf, hostNameservers } from './embedded-resolv-conf';

test('on a user network: the embedded DNS as the only nameserver, the host\'s search and options kept', () => {
  const host = '# comment\nnameserver 127.0.0.53\nsearch example.test corp.test\noptions edns0 trust-ad\nnameserver 10.0.0.2\n';
  assert.equal(embeddedResolvConf(host, '10.61.1.1'), 'nameserver 10.61.1.1\nsearch example.test corp.test\noptions edns0 trust-ad ndots:0\n');
  assert.equal(embeddedResolvConf('', '10.61.1.1'), 'nameserver 10.61.1.1\noptions ndots:0\n');
  assert.equal(embeddedResolvConf('options ndots:2\n', '10.61.1.1'), 'nameserver 10.61.1.1\noptions ndots:2\n', "the host's ndots stays");
});

test("the host's nameservers are the embedded DNS's upstreams", () => {
  assert.deepEqual(hostNameservers('nameserver 127.0.0.53\nsearch x\nnameserver fe80::1%eth0\n'), ['127.0.0.53', 'fe80::1']);
});
