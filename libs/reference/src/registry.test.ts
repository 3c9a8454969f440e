import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { cidrContains, isInsecureRegistry, parseReference, registryHost, splitHostPort } from './index';

describe('registryHost', () => {
  const cases: Array<[string, string]> = [
    ['busybox', 'registry-1.docker.io'],
    ['user/app:1', 'registry-1.docker.io'],
    ['index.docker.io/user/app', 'registry-1.docker.io'],
    ['localhost:5000/x', 'localhost:5000'],
    ['127.0.0.1:5000/busybox:1.36', '127.0.0.1:5000'],
    ['[::1]:5000/x', '[::1]:5000'],
    ['quay.io/a/b', 'quay.io'],
  ];
  for (const [input, host] of cases) {
    it(input, () => assert.equal(registryHost(parseReference(input)), host));
  }
  it('accepts a bare domain', () => {
    assert.equal(registryHost('docker.io'), 'registry-1.docker.io');
    assert.equal(registryHost('ghcr.io'), 'ghcr.io');
  });
});

describe('splitHostPort', () => {
  it('handles names, IPv4 and bracketed IPv6', () => {
    assert.deepEqual(splitHostPort('localhost:5000'), { host: 'localhost', port: '5000' });
    assert.deepEqual(splitHostPort('quay.io'), { host: 'quay.io' });
    assert.deepEqual(splitHostPort('[::1]:5000'), { host: '::1', port: '5000' });
    assert.deepEqual(splitHostPort('[::1]'), { host: '::1' });
    assert.deepEqual(splitHostPort('::1'), { host: '::1' });
  });
});

describe('cidrContains', () => {
  const cases: Array<[string, string, boolean]> = [
    ['127.0.0.0/8', '127.0.0.1', true],
    ['127.0.0.0/8', '127.255.1.2', true],
    ['127.0.0.0/8', '128.0.0.1', false],
    ['10.0.0.0/8', '10.1.2.3', true],
    ['192.168.1.0/24', '192.168.2.1', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['::1/128', '::1', true],
    ['::1/128', '::2', false],
    ['fd00::/8', 'fd12:3456::1', true],
    ['fd00::/8', 'fe80::1', false],
    ['127.0.0.0/8', '::ffff:127.0.0.1', true],
    ['127.0.0.0/8', '::1', false],
    ['10.0.0.0/33', '10.0.0.1', false],
    ['bogus', '10.0.0.1', false],
  ];
  for (const [cidr, ip, want] of cases) {
    it(`${ip} in ${cidr}`, () => assert.equal(cidrContains(cidr, ip), want));
  }
});

describe('isInsecureRegistry', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['127.0.0.1:5000', [], true],
    ['127.0.0.1', [], true],
    ['127.1.2.3:443', [], true],
    ['localhost:5000', [], true],
    ['localhost', [], true],
    ['[::1]:5000', [], true],
    ['::1', [], true],
    ['registry-1.docker.io', [], false],
    ['10.0.0.5:5000', [], false],
    ['10.0.0.5:5000', ['10.0.0.0/8'], true],
    ['[fd00::5]:5000', ['fd00::/8'], true],
    ['myreg.example:5000', ['myreg.example:5000'], true],
    ['myreg.example:5000', ['myreg.example'], false],
    ['myreg.example', ['myreg.example'], true],
    ['myreg.example:5000', ['http://myreg.example:5000/'], true],
    ['other.example:5000', ['myreg.example:5000', '192.168.0.0/16'], false],
  ];
  for (const [host, list, want] of cases) {
    it(`${host} with [${list.join(', ')}]`, () => assert.equal(isInsecureRegistry(host, list), want));
  }
});
