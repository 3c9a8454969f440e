import { test } from 'node:test';
import assert from 'node:assert/strict';
import { urlErrorText, withoutPassword } from './errors';

test('a password in a URL never reaches an error message (as Go\'s client shows it: ***)', () => {
  assert.equal(withoutPassword('https://alice:hunter2@reg.example/v2/'), 'https://alice:***@reg.example/v2/');
  assert.equal(withoutPassword('https://reg.example/v2/?scope=x'), 'https://reg.example/v2/?scope=x');
  assert.equal(withoutPassword('not a url //bob:pw@host/x'), 'not a url //bob:***@host/x');
  assert.doesNotMatch(urlErrorText('GET', 'http://alice:hunter2@127.0.0.1:5000/v2/', 'connection refused'), /hunter2/);
});
