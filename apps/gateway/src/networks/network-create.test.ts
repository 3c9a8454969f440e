import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featuresFor } from '../versions/features';
import { createNetworkRequest, parseGoBool } from './network-create';

test('create: the predefined names (and "default") are forbidden, an empty or blank name invalid', () => {
  for (const name of ['bridge', 'host', 'none', 'default']) {
    assert.throws(() => createNetworkRequest({ Name: name }, featuresFor('1.50')), { statusCode: 403, message: `operation is not permitted on predefined ${name} network ` });
  }
  for (const name of [undefined, '', ' \t']) {
    assert.throws(() => createNetworkRequest({ Name: name }, featuresFor('1.50')), { statusCode: 400, message: 'invalid name: name is empty' });
  }
});

test('create: absent fields are the zero values network-service expects; EnableIPv4 stays absent unless sent from 1.48', () => {
  assert.deepEqual(createNetworkRequest({ Name: 'n' }, featuresFor('1.50')), {
    name: 'n', driver: '', internal: false, attachable: false, ingress: false, enableIpv4: undefined, enableIpv6: false,
    ipamDriver: '', ipamConfig: [], ipamOptions: {}, options: {}, labels: {}, configOnly: false, configFrom: '', scope: '',
  });
  assert.equal(createNetworkRequest({ Name: 'n', EnableIPv4: true }, featuresFor('1.48')).enableIpv4, true);
  assert.equal(createNetworkRequest({ Name: 'n', EnableIPv4: false }, featuresFor('1.41')).enableIpv4, undefined);
  assert.equal(createNetworkRequest({ Name: 'n', ConfigFrom: { Network: 'cfg' } }, featuresFor('1.50')).configFrom, 'cfg');
});

test('parseGoBool reads what strconv.ParseBool reads, and words anything else as Go does', () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool('verbose', v), true);
  for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool('verbose', v), false);
  assert.throws(() => parseGoBool('verbose', 'tRUE'), { statusCode: 400, message: 'invalid value for verbose: tRUE: strconv.ParseBool: parsing "tRUE": invalid syntax' });
});
