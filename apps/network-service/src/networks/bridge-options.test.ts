import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { refuseUnbuiltOptions } from './bridge-options';

test('options of Docker\'s namespace that Berth does not apply are refused at create; the user\'s own keys are kept', () => {
  assert.throws(() => refuseUnbuiltOptions({ 'com.docker.network.bridge.inhibit_ipv4': 'true' }), /network option com\.docker\.network\.bridge\.inhibit_ipv4 is not supported by Berth yet/);
  assert.doesNotThrow(() => refuseUnbuiltOptions({ 'com.docker.network.driver.mtu': '1400', 'com.example.team': 'a' }));
});
