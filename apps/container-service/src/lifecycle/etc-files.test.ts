import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostsFile, parseExtraHost, resolvConf } from './etc-files';

describe('etc files', () => {
  test('hosts: defaults, extra hosts, the container itself', () => {
    const text = hostsFile({ hostname: 'abc', domainname: 'example.org', ipAddress: '172.18.0.2', extraHosts: ['db:10.0.0.1', 'gw:host-gateway'], hostGateway: '172.18.0.1' });
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], '127.0.0.1\tlocalhost');
    assert.equal(lines[6], '10.0.0.1\tdb');
    assert.equal(lines[7], '172.18.0.1\tgw');
    assert.equal(lines[8], '172.18.0.2\tabc.example.org abc');
    assert.deepEqual(parseExtraHost('v6:::1'), { name: 'v6', ip: '::1' });
    assert.deepEqual(parseExtraHost('n=1.2.3.4'), { name: 'n', ip: '1.2.3.4' });
    assert.throws(() => parseExtraHost('nohost'), /invalid extra host/);
  });

  test('resolv.conf: Dns, DnsSearch and DnsOptions replace the base ones', () => {
    assert.equal(resolvConf('nameserver 10.0.0.2\nsearch lan\n', ['1.1.1.1'], ['corp'], ['ndots:2']), 'search corp\nnameserver 1.1.1.1\noptions ndots:2\n');
    assert.equal(resolvConf('nameserver 10.0.0.2\n'), 'nameserver 10.0.0.2\n');
  });
});
