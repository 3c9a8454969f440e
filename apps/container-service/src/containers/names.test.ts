import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateContainerId, generateContainerName, validateContainerName, wordLists } from './names';

describe('container names', () => {
  test('generated names are adjective_surname and valid', () => {
    for (let i = 0; i < 200; i++) {
      const name = generateContainerName();
      assert.match(name, /^[a-z]+_[a-z]+$/);
      const [adj, sur] = name.split('_');
      assert.ok(wordLists.adjectives.includes(adj));
      assert.ok(wordLists.surnames.includes(sur));
      assert.equal(validateContainerName(name), name);
    }
  });

  test('a retry appends a digit', () => {
    assert.match(generateContainerName(1), /^[a-z]+_[a-z]+[0-9]$/);
  });

  test('never boring_wozniak', () => {
    const picks = [wordLists.adjectives.indexOf('boring'), wordLists.surnames.indexOf('wozniak'), 0, 0];
    let i = 0;
    const name = generateContainerName(0, () => picks[i++]);
    assert.equal(name, `${wordLists.adjectives[0]}_${wordLists.surnames[0]}`);
  });

  test('validation accepts dockerd names and strips the slash', () => {
    assert.equal(validateContainerName('web'), 'web');
    assert.equal(validateContainerName('/web'), 'web');
    assert.equal(validateContainerName('a.b-c_d9'), 'a.b-c_d9');
  });

  test('validation refuses with dockerd wording', () => {
    for (const bad of ['bad!', '-web', '_web', 'a', 'we b', '']) {
      assert.throws(() => validateContainerName(bad), { message: `Invalid container name (${bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed` });
    }
  });

  test('ids are 64 hex and not numeric when short', () => {
    const id = generateContainerId();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.ok(!/^[0-9]{12}$/.test(id.slice(0, 12)));
  });
});
