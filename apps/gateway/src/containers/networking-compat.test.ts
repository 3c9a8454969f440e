import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerCreateRequest } from '../backends/container.backend';
import { featuresFor } from '../versions/features';
import { applyNetworkingCompat } from './networking-compat';

function request(over: Partial<ContainerCreateRequest> = {}): ContainerCreateRequest {
  return { name: '', image: 'busybox', platform: '', config: { Image: 'busybox' }, hostConfig: {}, networkingConfig: {}, ...over };
}

test('before 1.44 one network only at create, in dockerd\'s words; from 1.44 several', () => {
  const two = () => request({ hostConfig: { NetworkMode: 'a' }, networkingConfig: { EndpointsConfig: { a: {}, b: {} } } });
  assert.throws(() => applyNetworkingCompat(two(), featuresFor('1.43')), { statusCode: 400, message: 'Container cannot be created with multiple network endpoints: a, b' });
  assert.deepEqual(applyNetworkingCompat(two(), featuresFor('1.44')), []);
});

test('GwPriority is read from 1.48 only', () => {
  const r = request({ networkingConfig: { EndpointsConfig: { a: { GwPriority: 5 } } } });
  applyNetworkingCompat(r, featuresFor('1.47'));
  assert.equal(r.networkingConfig.EndpointsConfig!.a!.GwPriority, 0);
  const r2 = request({ networkingConfig: { EndpointsConfig: { a: { GwPriority: 5 } } } });
  applyNetworkingCompat(r2, featuresFor('1.48'));
  assert.equal(r2.networkingConfig.EndpointsConfig!.a!.GwPriority, 5);
});

test('before 1.44 Config.MacAddress moves to the main endpoint, an endpoint\'s own is ignored', () => {
  const r = request({ config: { Image: 'busybox', MacAddress: '02:42:ac:11:00:42' } as never, hostConfig: { NetworkMode: 'default' } });
  assert.deepEqual(applyNetworkingCompat(r, featuresFor('1.43')), []);
  assert.deepEqual(r.networkingConfig.EndpointsConfig, { bridge: { MacAddress: '02:42:ac:11:00:42' } });
  const ignored = request({ networkingConfig: { EndpointsConfig: { net1: { MacAddress: '02:42:ac:11:00:43' } } } });
  applyNetworkingCompat(ignored, featuresFor('1.43'));
  assert.deepEqual(ignored.networkingConfig.EndpointsConfig, { net1: {} });
  const host = request({ config: { Image: 'busybox', MacAddress: '02:42:ac:11:00:42' } as never, hostConfig: { NetworkMode: 'host' } });
  assert.throws(() => applyNetworkingCompat(host, featuresFor('1.43')), { statusCode: 400, message: 'conflicting options: mac-address and the network mode' });
});

test('from 1.44 Config.MacAddress is migrated with a deprecation warning, and must agree with the endpoint\'s', () => {
  const r = request({ config: { Image: 'busybox', MacAddress: '02:42:ac:11:00:42' } as never, hostConfig: { NetworkMode: 'net1' }, networkingConfig: { EndpointsConfig: { net1: {} } } });
  assert.deepEqual(applyNetworkingCompat(r, featuresFor('1.44')), ['The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.']);
  assert.equal(r.networkingConfig.EndpointsConfig!.net1!.MacAddress, '02:42:ac:11:00:42');
  assert.equal((r.config as { MacAddress?: string }).MacAddress, undefined);
  const clash = request({ config: { Image: 'busybox', MacAddress: '02:42:ac:11:00:42' } as never, hostConfig: { NetworkMode: 'net1' }, networkingConfig: { EndpointsConfig: { net1: { MacAddress: '02:42:ac:11:00:01' } } } });
  assert.throws(() => applyNetworkingCompat(clash, featuresFor('1.50')), { statusCode: 400, message: /must match the endpoint-specific MAC address/ });
  const other = request({ config: { Image: 'busybox', MacAddress: '02:42:ac:11:00:42' } as never, hostConfig: { NetworkMode: 'net1' }, networkingConfig: { EndpointsConfig: { net2: {} } } });
  assert.throws(() => applyNetworkingCompat(other, featuresFor('1.50')), {
    statusCode: 400, message: 'unable to migrate container-wide MAC address to a specific network: HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks',
  });
});
