import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { inspectLink, linkEnv, linkHostsLine, mergeLinkEnv, parseLink } from './links';

test('link specs: name, name:alias, and the stored /name:/parent/alias form', () => {
  assert.deepEqual(parseLink('db'), { name: 'db', alias: 'db' });
  assert.deepEqual(parseLink('db:data'), { name: 'db', alias: 'data' });
  assert.deepEqual(parseLink('/db:/web/data'), { name: 'db', alias: 'data' });
  assert.throws(() => parseLink('a:b:c'), /bad format for links: a:b:c/);
  assert.throws(() => parseLink(''), /empty string specified for links/);
  assert.equal(inspectLink('web', { name: 'db', alias: 'data' }), '/db:/web/data');
});

const target = {
  alias: 'my-db',
  name: 'db',
  id: 'f'.repeat(64),
  hostname: 'ffffffffffff',
  ip: '172.17.0.3',
  exposed: ['5432/tcp', '80/tcp', '81/tcp', '82/tcp', '53/udp'],
  env: ['PATH=/usr/bin', 'HOME=/root', 'POSTGRES_DB=app', 'EMPTY='],
};

test('the /etc/hosts line: alias, hostname, and the name when the alias differs', () => {
  assert.equal(linkHostsLine(target), '172.17.0.3\tmy-db ffffffffffff db');
  assert.equal(linkHostsLine({ ...target, alias: 'db' }), '172.17.0.3\tdb ffffffffffff');
});

test('the link environment as dockerd gives it', () => {
  const env = linkEnv('web', target);
  assert.equal(env[0], 'MY_DB_PORT=udp://172.17.0.3:53');
  assert.ok(env.includes('MY_DB_PORT_80_TCP=tcp://172.17.0.3:80'));
  assert.ok(env.includes('MY_DB_PORT_80_TCP_ADDR=172.17.0.3'));
  assert.ok(env.includes('MY_DB_PORT_80_TCP_PORT=80'));
  assert.ok(env.includes('MY_DB_PORT_80_TCP_PROTO=tcp'));
  assert.ok(env.includes('MY_DB_PORT_53_UDP=udp://172.17.0.3:53'));
  // a run of consecutive ports also gets _START and _END
  assert.ok(env.includes('MY_DB_PORT_80_TCP_START=tcp://172.17.0.3:80'));
  assert.ok(env.includes('MY_DB_PORT_80_TCP_END=tcp://172.17.0.3:82'));
  assert.ok(env.includes('MY_DB_PORT_80_TCP_PORT_START=80'));
  assert.ok(env.includes('MY_DB_PORT_80_TCP_PORT_END=82'));
  assert.ok(!env.some((e) => e.startsWith('MY_DB_PORT_5432_TCP_START')));
  assert.ok(env.includes('MY_DB_NAME=/web/my-db'));
  assert.ok(env.includes('MY_DB_ENV_POSTGRES_DB=app'));
  assert.ok(env.includes('MY_DB_ENV_EMPTY='));
  assert.ok(!env.some((e) => e.startsWith('MY_DB_ENV_PATH') || e.startsWith('MY_DB_ENV_HOME')));
  // tcp before udp for one port number
  assert.equal(linkEnv('web', { ...target, exposed: ['80/udp', '80/tcp'] })[0], 'MY_DB_PORT=tcp://172.17.0.3:80');
  assert.deepEqual(linkEnv('web', { ...target, exposed: [], env: [] }), ['MY_DB_NAME=/web/my-db']);
});

test("the container's own variables win over a link's", () => {
  assert.deepEqual(mergeLinkEnv(['A_NAME=/x/a', 'A_PORT=tcp://1:2'], ['A_PORT=mine', 'PATH=/bin']), ['A_NAME=/x/a', 'A_PORT=mine', 'PATH=/bin']);
});
