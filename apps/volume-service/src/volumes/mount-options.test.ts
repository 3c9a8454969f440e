import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeMountFailure, mountFailureReason, mountSpec, parseMountOptions, redactPassword, resolveNetworkSource,
} from './mount-options';

test('o splits into mount flags and filesystem data as dockerd splits it', () => {
  assert.deepEqual(parseMountOptions('size=10m,uid=1000'), { flags: 0, data: 'size=10m,uid=1000' });
  assert.deepEqual(parseMountOptions('bind'), { flags: 0x1000, data: '' });
  assert.deepEqual(parseMountOptions('rbind,ro,nosuid'), { flags: 0x1000 | 0x4000 | 0x1 | 0x2, data: '' });
  assert.deepEqual(parseMountOptions('ro,rw,addr=1.2.3.4'), { flags: 0, data: 'addr=1.2.3.4' });
});

test('a failed mount reads like dockerd\'s error', () => {
  const target = '/var/lib/berth/volumes/v/_data';
  const tmpfs = mountSpec({ type: 'tmpfs', device: 'tmpfs', o: 'bogus=1' });
  // dockerd 20.10: "mount tmpfs:/tmp/oracle/data/volumes/vsx-bad/_data, data: bogus=1: invalid argument"
  assert.equal(describeMountFailure(tmpfs, target, 'invalid argument'), `mount tmpfs:${target}, data: bogus=1: invalid argument`);
  const bind = mountSpec({ type: 'none', device: '/nope', o: 'bind,rprivate' });
  assert.equal(describeMountFailure(bind, target, 'no such file or directory'), `mount /nope:${target}, flags: 0x5000: no such file or directory`);
});

test('mount(8) messages become Go errno strings', () => {
  const t = '/x/_data';
  const tail = '\n       dmesg(1) may have more information after failed mount system call.\n';
  assert.equal(mountFailureReason(`mount: ${t}: wrong fs type, bad option, bad superblock on tmpfs, missing codepage or helper program, or other error.${tail}`, t), 'invalid argument');
  assert.equal(mountFailureReason(`mount: ${t}: special device /nope does not exist.${tail}`, t), 'no such file or directory');
  assert.equal(mountFailureReason(`mount: ${t}: unknown filesystem type 'zfs'.${tail}`, t), 'no such device');
  assert.equal(mountFailureReason(`mount: ${t}: something new.`, t), 'something new.');
});

test('passwords never appear in messages', () => {
  assert.equal(redactPassword('mount //s/x:/t, data: user=a,password=s3cret: permission denied', 'user=a,password=s3cret'),
    'mount //s/x:/t, data: user=a,password=********: permission denied');
  assert.equal(redactPassword('no secret here', 'user=a'), 'no secret here');
});

test('nfs and cifs host names are resolved to addresses; others pass through', async () => {
  const seen: string[] = [];
  const resolve = async (host: string) => {
    seen.push(host);
    if (host === 'nas.example') return '192.0.2.7';
    throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
  };
  const nfs = await resolveNetworkSource(mountSpec({ type: 'nfs', device: ':/export', o: 'addr=nas.example,rw' }), resolve);
  assert.equal(nfs.options, 'addr=192.0.2.7,rw');
  const literal = mountSpec({ type: 'nfs', device: ':/export', o: 'addr=10.1.2.3' });
  assert.deepEqual(await resolveNetworkSource(literal, resolve), literal);
  const cifs = await resolveNetworkSource(mountSpec({ type: 'cifs', device: '//nas.example/share', o: 'username=u' }), resolve);
  assert.equal(cifs.device, '//192.0.2.7/share');
  const tmpfs = mountSpec({ type: 'tmpfs', device: 'tmpfs', o: 'addr=nas.example' });
  assert.deepEqual(await resolveNetworkSource(tmpfs, resolve), tmpfs);
  assert.deepEqual(seen, ['nas.example', 'nas.example']);
  await assert.rejects(resolveNetworkSource(mountSpec({ type: 'nfs', device: ':/e', o: 'addr=gone.example' }), resolve),
    /error resolving passed in network volume address: lookup gone.example: no such host/);
});
