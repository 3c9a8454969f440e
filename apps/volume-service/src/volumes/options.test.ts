import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { RpcError } from '@berth/rpc';
import { needsMount, ramInBytes, validateDriverOptions } from './options';

function refused(opts: Record<string, string>, message: string): void {
  assert.throws(() => validateDriverOptions(opts), (e) => {
    assert.ok(e instanceof RpcError);
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.equal(e.message, message);
    return true;
  }, JSON.stringify(opts));
}

test('no options, and the local driver\'s own, are accepted', () => {
  validateDriverOptions({});
  validateDriverOptions({ type: 'tmpfs', device: 'tmpfs' });
  validateDriverOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=10m,uid=1000' });
  validateDriverOptions({ type: 'none', device: '/srv/data', o: 'bind' });
  validateDriverOptions({ type: 'nfs', device: ':/export', o: 'addr=10.0.0.1,rw' });
  validateDriverOptions({ size: '0' });
  validateDriverOptions({ type: 'cifs', device: '//server/share', o: 'port=445' });
});

test('unknown options are refused before anything else', () => {
  refused({ foo: 'bar' }, 'invalid option: "foo"');
  refused({ foo: 'bar', size: '1m' }, 'invalid option: "foo"');
  refused({ type: 'tmpfs', 'o"x': '' }, 'invalid option: "o\\"x"');
});

test('a positive size needs quota support, which there is none of', () => {
  refused({ size: '10m' }, 'quota size requested but no quota support');
  refused({ size: '1.5' }, 'quota size requested but no quota support');
  refused({ size: 'abc' }, "invalid size: 'abc'");
  refused({ size: '10x' }, "invalid size: '10x'");
});

test('type, device and o need each other, in dockerd\'s order', () => {
  refused({ type: 'tmpfs' }, 'missing required option: "device"');
  refused({ device: 'x' }, 'missing required option: "type"');
  refused({ o: 'size=1m' }, 'missing required option: "device"');
  refused({ o: 'size=1m', device: 'tmpfs' }, 'missing required option: "type"');
});

test('a port in a cifs device URL is refused (it would be ignored)', () => {
  refused({ type: 'cifs', device: '//server:445/share' }, "port not allowed in CIFS device URL, include 'port' in 'o='");
  refused({ type: 'cifs', device: 'smb://user@server:139/share', o: 'vers=3' }, "port not allowed in CIFS device URL, include 'port' in 'o='");
});

test('sizes are binary units', () => {
  assert.equal(ramInBytes('0'), 0);
  assert.equal(ramInBytes('512'), 512);
  assert.equal(ramInBytes('10k'), 10 * 1024);
  assert.equal(ramInBytes('10m'), 10 * 1024 ** 2);
  assert.equal(ramInBytes('2 GiB'), 2 * 1024 ** 3);
  assert.equal(ramInBytes('1.5K'), 1536);
  assert.throws(() => ramInBytes('1.2.3'), /strconv.ParseFloat: parsing "1.2.3": invalid syntax/);
  assert.throws(() => ramInBytes('-1'), /invalid size: '-1'/);
});

test('only a type or a device makes a volume a mount', () => {
  assert.equal(needsMount({}), false);
  assert.equal(needsMount({ size: '0' }), false);
  assert.equal(needsMount({ type: '', device: '' }), false);
  assert.equal(needsMount({ type: 'tmpfs', device: 'tmpfs' }), true);
  assert.equal(needsMount({ type: 'none', device: '/x', o: 'bind' }), true);
});
