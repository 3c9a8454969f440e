import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InsecureRegistries, hostnameOf, isDockerHub, normalizeDomain, parseReference, registryHost, splitSearchTerm } from './index';

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
  it('accepts a bare domain, Hub aliases included', () => {
    assert.equal(registryHost('docker.io'), 'registry-1.docker.io');
    assert.equal(registryHost('registry.hub.docker.com'), 'registry-1.docker.io');
    assert.equal(registryHost('ghcr.io'), 'ghcr.io');
  });
});

describe('Docker Hub names', () => {
  it('every alias is Docker Hub, case aside', () => {
    for (const d of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'Docker.IO']) assert.equal(isDockerHub(d), true, d);
    assert.equal(isDockerHub('ghcr.io'), false);
  });
  it('login addresses normalise to a domain', () => {
    assert.equal(normalizeDomain('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeDomain('registry-1.docker.io'), 'docker.io');
    assert.equal(normalizeDomain('http://localhost:5000/'), 'localhost:5000');
    assert.equal(normalizeDomain(' 127.0.0.1:5000 '), '127.0.0.1:5000');
  });
  it('host names come without port or brackets', () => {
    assert.equal(hostnameOf('localhost:5000'), 'localhost');
    assert.equal(hostnameOf('quay.io'), 'quay.io');
    assert.equal(hostnameOf('[::1]:5000'), '::1');
    assert.equal(hostnameOf('::1'), '::1');
  });
});

describe('splitSearchTerm', () => {
  const cases: Array<[string, string, string]> = [
    ['ubuntu', 'docker.io', 'ubuntu'],
    ['user/app', 'docker.io', 'user/app'],
    ['localhost/app', 'localhost', 'app'],
    ['localhost:5000/app', 'localhost:5000', 'app'],
    ['reg.example.com/team/app', 'reg.example.com', 'team/app'],
  ];
  for (const [input, registryHost, term] of cases) {
    it(input, () => assert.deepEqual(splitSearchTerm(input), { registryHost, term }));
  }
});

describe('InsecureRegistries', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['127.0.0.1:5000', [], true],
    ['127.1.2.3:443', [], true],
    ['localhost:5000', [], true],
    ['[::1]:5000', [], true],
    ['registry-1.docker.io', [], false],
    ['10.0.0.5:5000', [], false],
    ['10.0.0.5:5000', ['10.0.0.0/8'], true],
    ['[fd00::5]:5000', ['fd00::/8'], true],
    ['myreg.example:5000', ['myreg.example:5000'], true],
    ['myreg.example:5000', ['myreg.example'], true],
    ['myreg.example:5000', ['http://myreg.example:5000/'], true],
    ['other.example:5000', ['myreg.example:5000', '192.168.0.0/16'], false],
  ];
  for (const [host, list, want] of cases) {
    it(`${host} with [${list.join(', ')}]`, () => assert.equal(new InsecureRegistries(list).isInsecure(host), want));
  }
});
