import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkVersionSupported, featuresFor } from './features';

test('versions 1.24 to 1.50 are served, others refused with dockerd\'s wording', () => {
  for (const v of ['1.24', '1.25', '1.41', '1.50']) checkVersionSupported(v);
  assert.throws(() => checkVersionSupported('1.51'), { statusCode: 400, message: 'client version 1.51 is too new. Maximum supported API version is 1.50' });
  assert.throws(() => checkVersionSupported('2.0'), { statusCode: 400 });
  assert.throws(() => checkVersionSupported('1.23'), { statusCode: 400, message: /^client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade/ });
});

test('each flag changes at the version the API reference names', () => {
  const flip = (flag: keyof ReturnType<typeof featuresFor>, before: string, at: string) => {
    assert.notEqual(featuresFor(before)[flag], featuresFor(at)[flag], `${flag} between ${before} and ${at}`);
  };
  flip('websocketBinaryFrames', '1.27', '1.28');
  flip('multiplexedStreamContentType', '1.41', '1.42');
  flip('execConsoleSize', '1.41', '1.42');
  flip('volumePruneOnlyAnonymous', '1.41', '1.42');
  flip('volumePruneAllFilter', '1.41', '1.42');
  flip('imageVirtualSize', '1.43', '1.44');
  flip('imageContainerConfig', '1.44', '1.45');
  flip('eventsImageCreate', '1.45', '1.46');
  flip('eventsLegacyFields', '1.51', '1.52');
  flip('networkEnableIPv4', '1.47', '1.48');
  flip('endpointGwPriority', '1.47', '1.48');
  flip('createOnSeveralNetworks', '1.43', '1.44');
  flip('endpointMacAddress', '1.43', '1.44');
  flip('aliasesWithShortId', '1.44', '1.45');
  flip('networkListContainers', '1.27', '1.28');
  assert.equal(featuresFor('1.51').eventsContentType, 'application/json');
  assert.equal(featuresFor('1.52').eventsContentType, 'application/x-ndjson');
  assert.deepEqual(
    [featuresFor('1.27').websocketBinaryFrames, featuresFor('1.41').multiplexedStreamContentType, featuresFor('1.43').imageVirtualSize],
    [false, false, true],
  );
});
