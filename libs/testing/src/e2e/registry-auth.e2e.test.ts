import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Berth, startBerth } from '../index';
import { fixturePath } from '../fixtures';
import { Registry, startRegistry } from '../registry';

let berth: Berth;
let registry: Registry;

before(async () => {
  registry = await startRegistry({ auth: { username: 'alice', password: 's3cret', type: 'token' } });
  await registry.push(await fixturePath('busybox.tar'), 'private/busybox:latest');
  berth = await startBerth();
});

after(async () => {
  await berth?.stop();
  await registry?.stop();
});

test('a pull from a registry that demands a token works after docker login', async () => {
  const denied = await berth.docker(['pull', `${registry.host}/private/busybox`]);
  assert.notEqual(denied.code, 0, 'anonymous pull is refused');
  const bad = await berth.docker(['login', '-u', 'alice', '--password-stdin', registry.host], { input: 'wrong\n' });
  assert.notEqual(bad.code, 0);
  const login = await berth.docker(['login', '-u', 'alice', '--password-stdin', registry.host], { input: 's3cret\n' });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Login Succeeded/);
  const pulled = await berth.docker(['pull', `${registry.host}/private/busybox`]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stdout, /Downloaded newer image/);
});
