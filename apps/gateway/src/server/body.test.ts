import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseJsonBody } from './body';

test('a body is one JSON value, as dockerd\'s ReadJSON reads it', () => {
  assert.deepEqual(parseJsonBody('{"Name":"v"}  \n'), { Name: 'v' });
  assert.throws(() => parseJsonBody('null x'), /unexpected content after JSON/);
  assert.throws(() => parseJsonBody('{} {}'), /unexpected content after JSON/);
  // json.Decoder.More() says no more for a closing bracket: dockerd takes the first value.
  assert.deepEqual(parseJsonBody('{"Name":"v"}}'), { Name: 'v' });
  assert.throws(() => parseJsonBody('{bad'), /invalid JSON: invalid character 'b'/);
});
